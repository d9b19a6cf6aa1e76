import { loadConfigOrExit, toolLoggerFor } from '../../bootstrap.ts';
import { runDemo } from './runDemo.ts';

// `npm run demo`: the offline demo, whatever DISCORD_TOKEN says.
const config = loadConfigOrExit();
process.exitCode = await runDemo({ log: toolLoggerFor(config) });
