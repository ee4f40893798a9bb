// The resolve hook of record-loads.mjs (runs on the loader thread).
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.WT_RECORD_LOADS) appendFileSync(process.env.WT_RECORD_LOADS, `${result.url}\n`);
  return result;
}
