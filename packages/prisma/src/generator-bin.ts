import generatorHelper from '@prisma/generator-helper';
import { errorMessage } from '@liveshift/runtime';
import { generateSafeMigrations } from './generator.js';

/**
 * The Prisma generator `liveshift-prisma`:
 *
 *   generator liveshift {
 *     provider = "liveshift-prisma"
 *     // optional: snapshot = "prisma/production.snapshot.json", smallTableBytes = "0", batchSize = "5000", lockTimeout = "2000", sync = "app"
 *   }
 *
 * Prisma talks to a generator over standard input and standard error; the generator's messages
 * go to standard output. LIVESHIFT_GENERATE=off skips it (e.g. where `prisma generate` runs
 * without a database, to build the client).
 */
const { generatorHandler } = generatorHelper;

generatorHandler({
  onManifest: () => ({ prettyName: 'liveshift safe migrations', defaultOutput: '.', requiresGenerators: [] }),
  onGenerate: async (options) => {
    if (/^(off|0|false|no)$/i.test(process.env.LIVESHIFT_GENERATE ?? '')) {
      console.log('liveshift: LIVESHIFT_GENERATE is off; no migrations written');
      return;
    }
    try {
      await generateSafeMigrations({ schemaPath: options.schemaPath, datamodel: options.datamodel, config: options.generator.config });
    } catch (error) {
      // Prisma shows the message; the stack would only say who stopped
      throw new Error(errorMessage(error));
    }
  },
});
