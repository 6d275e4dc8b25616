/**
 * Short names for the Cube boundary's text and flag conversions (web/lib/cube/values.ts), as the
 * customers and collections models read them.
 */
export { toBoolean as flag, toText as text, type CubeRow } from '../cube/values.ts';
