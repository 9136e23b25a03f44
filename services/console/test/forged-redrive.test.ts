import { forgedRedriveTests } from './forged-redrive.js';

forgedRedriveTests('choreography');
