/**
 * Bad input for planning: an unsupported statement, an unknown table or column, an invalid
 * intent file. `statement` names the offending input so the user can find it. CLI exit code 2.
 */
export class PlanningError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly statement?: string,
  ) {
    super(statement ? `${message}\n  in: ${statement}` : message);
    this.name = 'PlanningError';
  }
}
