/**
 * The server's most frequent frames, encoded without building the frame object first: the
 * `ok` reply and the `message` push are two frames per direct message. Each gives exactly
 * the text `frameText` (JSON.stringify) gives for the same frame, keys in the same order;
 * only the strings and the reply's data go through JSON.stringify.
 *
 * Examples (newline included):
 *   {"v":1,"id":7,"type":"ok","data":{"ts":1700000000000,"id":12}}\n
 *   {"v":1,"type":"push","event":{"type":"message","from":"Yoda","text":"hi","ts":1700000000000,"id":12}}\n
 */
import type { PushEvent } from './control.js';
import { PROTOCOL_VERSION } from './control.js';
import { frameText } from './frame.js';

/** A direct-message push, as the server builds it (the keys in this order). */
export type MessageEvent = Extract<PushEvent, { type: 'message' }>;

/** What JSON.stringify writes for a number: non-finite numbers are `null`. */
function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * `frameText({ v, id, type: 'ok', data })`. A frame whose data JSON.stringify leaves out
 * (undefined) goes the generic way.
 */
export function okReplyText(id: number, data: unknown): string {
  const json = JSON.stringify(data);
  if (json === undefined) return frameText({ v: PROTOCOL_VERSION, id, type: 'ok', data });
  return `{"v":${PROTOCOL_VERSION},"id":${numberText(id)},"type":"ok","data":${json}}\n`;
}

/**
 * `frameText({ v, type: 'push', event })` for a `message` event whose keys are in the order
 * of its type (type, from, text, ts, id, offline), as every producer builds it; an absent
 * optional key is left out, as JSON.stringify leaves out an undefined one.
 */
export function messagePushText(event: MessageEvent): string {
  let text =
    `{"v":${PROTOCOL_VERSION},"type":"push","event":{"type":"message",` +
    `"from":${JSON.stringify(event.from)},"text":${JSON.stringify(event.text)},` +
    `"ts":${numberText(event.ts)}`;
  if (event.id !== undefined) text += `,"id":${numberText(event.id)}`;
  if (event.offline !== undefined) text += `,"offline":${event.offline}`;
  return `${text}}}\n`;
}

/** `frameText({ v, type: 'push', event })`, the event encoded as it is. */
export function pushFrameText(event: PushEvent): string {
  return `{"v":${PROTOCOL_VERSION},"type":"push","event":${JSON.stringify(event)}}\n`;
}
