import { pathToFileURL } from 'node:url'

// CommonJS has no import.meta: the CJS build gets the module's own URL from __filename instead. pathToFileURL
// percent-encodes the path, so a folder name with '#', '%' or spaces still resolves to the bundle beside index.cjs.
export const importMetaUrl = pathToFileURL(__filename).href
