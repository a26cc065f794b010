import { parseArgs } from 'node:util';
import { runBench } from './run.ts';
import { isScale, SCALES } from './scales.ts';

const usage = 'npm run bench -- --scale tiny|small|full [--db embedded|postgres] [--only S2,S4] [--rounds N]';

function options() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'tiny' },
      db: { type: 'string', default: 'postgres' },
      only: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const scale = values.scale ?? 'tiny';
  if (!isScale(scale)) throw new Error(`--scale must be tiny, small or full, got "${scale}"\n${usage}`);
  const db = values.db;
  if (db !== 'embedded' && db !== 'postgres') throw new Error(`--db must be embedded or postgres, got "${db}"\n${usage}`);
  const only = values.only ? new Set(values.only.split(',').map((id) => id.trim().toUpperCase()).filter(Boolean)) : null;
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) throw new Error(`--rounds must be a whole number from 1 to 20, got "${values.rounds}"\n${usage}`);
  return { scale: SCALES[scale], db, only, rounds } as const;
}

try {
  await runBench(options());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
