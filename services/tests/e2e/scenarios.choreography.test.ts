import { scenarios } from './suites/scenarios.js';

scenarios('choreography');
