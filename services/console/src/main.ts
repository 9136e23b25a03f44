import { runMain } from '@orderly/platform';
import { definition } from './service.js';

await runMain(definition);
