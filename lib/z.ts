/**
 * The one zod import of this project (`import * as z from '../z.ts'`): `zod/mini`, the functional build
 * whose unused checks bundle away (measured in a function's zip: 31 KB → 10 KB), with zod's English
 * messages, which the classic build loads by itself and `zod/mini` leaves to the caller (without them
 * every issue reads "Invalid input"). Re-exported with `export *`, never as one object, so a bundle keeps
 * only what it calls.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
