import { fulfilment } from './suites/fulfilment.js';

fulfilment('choreography');
