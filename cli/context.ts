/**
 * What every command gets from the program: the configuration (arlens.config.yaml with the global
 * --config and --warehouse flags applied) and the shared number format for console output.
 */
import type { Command } from 'commander';
import type { Config } from './config.ts';

export interface Context {
  config(): Promise<Config>;
}

/** One command group: adds its commands to the program. */
export type Register = (program: Command, ctx: Context) => void;

export const num = new Intl.NumberFormat('en-US');
