import type { temporal } from '@temporalio/proto';

/** The server time (epoch ms) of a history event. */
export const eventTimeMs = (event: temporal.api.history.v1.IHistoryEvent): number => Number(event.eventTime?.seconds) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);

/** The activity type a local activity's marker records (core's `core_local_activity` marker, its `data` detail). */
function localActivityType(event: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type : undefined;
}

/**
 * Each recordRung in a workflow's history, in order, with the server time it ran: an activity task's scheduling
 * (workflows started before rungs were local activities) or a local activity's marker, recorded when the
 * workflow task that ran it completed (after its timer fired, so never before the rung's instant).
 */
export function rungRecordings(history: temporal.api.history.v1.IHistory): Array<{ at: number; input?: unknown }> {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'recordRung') return [{ at: eventTimeMs(event), input: JSON.parse(Buffer.from(scheduled.input!.payloads![0].data!).toString('utf8')) as unknown }];
    return localActivityType(event) === 'recordRung' ? [{ at: eventTimeMs(event) }] : [];
  });
}
