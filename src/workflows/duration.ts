import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** Durations arrive as config text ('6 hours'); validated by the config and API schemas. */
export const ms = (d: string) => msToNumber(d as Duration);
