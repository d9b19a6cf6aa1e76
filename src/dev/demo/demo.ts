import { loadConfigOrExit, loggerFor } from '../../bootstrap.ts';
import { runDemo } from './runDemo.ts';

// `npm run demo`: the offline demo, whatever DISCORD_TOKEN says.
const config = loadConfigOrExit();
process.exitCode = await runDemo({ log: loggerFor(config, { level: process.env.LOG_LEVEL ?? 'warn' }) });
