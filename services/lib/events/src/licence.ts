/**
 * The project's licence, as LICENSE states it and every package.json's `license` names it: no
 * licence is granted (all rights reserved). The API and message documents carry it, so a tool
 * that reads a document's licence reads the project's; a test keeps the three in step.
 */
export const licence = {
  /** An SPDX reference of our own (SPDX has no identifier for "all rights reserved"). */
  spdx: 'LicenseRef-Orderly-Proprietary',
  name: 'Proprietary, all rights reserved by the Orderly founders (see LICENSE)',
} as const;
