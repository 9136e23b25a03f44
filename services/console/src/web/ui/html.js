// Preact's h bound to htm: templates in tagged strings, no build step. Preact escapes every text it renders.
import htm from 'htm';
import { h } from 'preact';

export const html = htm.bind(h);
