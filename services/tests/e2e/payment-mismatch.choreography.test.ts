import { paymentMismatch } from './suites/payment-mismatch.js';

paymentMismatch('choreography');
