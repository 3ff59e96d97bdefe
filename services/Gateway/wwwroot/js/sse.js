// Server-Sent Events over fetch: POST /api/ask cannot use EventSource, and a GET that needs the API key cannot either.
import { apiFetch } from "./api.js";

/**
 * Reads a text/event-stream body, calling onEvent({ type, data, id }, remaining) for every event (type "message" when it
 * has no `event:` line; `remaining`: how many more events came in the same read). Follows the format: lines split on CRLF,
 * LF or CR; `:` comments; `data:` lines joined with "\n"; one leading space after the colon removed; an event is
 * dispatched at a blank line. When onEvent returns a promise it is awaited before the next event. Resolves at the end.
 */
export async function readEventStream(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let type = "";
  let data = [];
  let id = null;
  const batch = [];
  const dispatch = () => {
    if (data.length > 0) batch.push({ type: type || "message", data: data.join("\n"), id });
    type = "";
    data = [];
  };
  const line = (text) => {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") type = value;
    else if (field === "data") data.push(value);
    else if (field === "id" && !value.includes("\0")) id = value;
  };
  const flush = async () => {
    const events = batch.splice(0);
    for (let n = 0; n < events.length; n++) await onEvent(events[n], events.length - n - 1);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== "\n" && c !== "\r") continue;
        if (c === "\r" && i === buffer.length - 1) break; // a CR at the end may be the first half of CRLF
        line(buffer.slice(start, i));
        if (c === "\r" && buffer[i + 1] === "\n") i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      await flush();
    }
    if (buffer.length > 0) line(buffer.replace(/\r$/, ""));
    await flush();
  } finally {
    reader.releaseLock();
  }
}

/** Parses an event's JSON data, or returns null. */
export function eventJson(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

/**
 * Follows a GET event stream until `until(event)` is true, the signal aborts or the attempts run out: like EventSource, but
 * with the API key (apiFetch) and Last-Event-ID on reconnect. onEvent gets each event; onState("reconnecting"|"open").
 */
export async function followEventStream(url, { onEvent, until, signal, onState = () => {}, attempts = 20, lastEventId = null }) {
  let failures = 0;
  for (;;) {
    let finished = false;
    try {
      const headers = { Accept: "text/event-stream" };
      if (lastEventId !== null) headers["Last-Event-ID"] = lastEventId;
      const response = await apiFetch(url, { headers, signal, write: false });
      onState("open");
      failures = 0;
      await readEventStream(response.body, (event) => {
        if (event.id !== null) lastEventId = event.id;
        onEvent(event);
        if (until(event)) finished = true;
      });
      if (finished) return;
    } catch (error) {
      if (signal?.aborted) return;
      if (error?.status && error.status < 500 && error.status !== 429) throw error; // a 4xx will not get better
      if (++failures >= attempts) throw error;
    }
    if (finished) return;
    onState("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** failures, 10000)));
    if (signal?.aborted) return;
  }
}
