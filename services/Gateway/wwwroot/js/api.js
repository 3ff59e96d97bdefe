// Requests to the gateway: the API key on writes (and on reads once a read needed it), a retry after the key is asked,
// and errors as words (the problem+json detail).
import { getApiKey, requestApiKey } from "./apikey.js";

/** A failed request, with the problem's detail as its message. */
export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

let readsNeedKey = false;

export const readsNeedApiKey = () => readsNeedKey;

/**
 * fetch against the gateway. `write` requests carry X-Api-Key when a key is known; a 401/403 asks for the key (kept for
 * the session, so it is asked once) and retries. Resolves with the Response when it is OK, otherwise throws an ApiError with the problem's detail.
 */
export async function apiFetch(path, { method = "GET", json, body, headers = {}, signal, write = method !== "GET" } = {}) {
  const send = () => {
    const allHeaders = { ...headers };
    const key = getApiKey();
    if (key && (write || readsNeedKey)) allHeaders["X-Api-Key"] = key;
    let payload = body;
    if (json !== undefined) {
      allHeaders["Content-Type"] = "application/json";
      payload = JSON.stringify(json);
    }
    return fetch(path, { method, headers: allHeaders, body: payload, signal });
  };
  let response = await send();
  // 401 (no key) or 403 (a wrong one): ask for the key and retry, again while it is wrong, until the user cancels.
  for (let attempt = 0; (response.status === 401 || response.status === 403) && attempt < 5; attempt++) {
    if (!write) readsNeedKey = true;
    const problem = await readProblem(response);
    const key = await requestApiKey(attempt === 0 ? problem.detail : `${problem.detail} Check the key and try again.`);
    if (key === null) throw new ApiError(`${problem.detail} (no API key was given)`, response.status, problem);
    response = await send();
  }
  if (!response.ok) {
    const problem = await readProblem(response);
    throw new ApiError(problem.detail, response.status, problem);
  }
  return response;
}

/** GET (or any method) returning the JSON body. */
export async function apiJson(path, options) {
  const response = await apiFetch(path, options);
  return response.status === 204 ? null : response.json();
}

/** The problem details of a failed response, with a detail in words even when the body is not problem+json. */
export async function readProblem(response) {
  let problem = {};
  try {
    const text = await response.text();
    problem = text ? JSON.parse(text) : {};
  } catch {
    problem = {};
  }
  if (typeof problem !== "object" || problem === null) problem = {};
  problem.status ??= response.status;
  problem.detail ||= describeProblem(problem, response);
  return problem;
}

function describeProblem(problem, response) {
  if (problem.errors && typeof problem.errors === "object") {
    return Object.entries(problem.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`).join(" ");
  }
  if (problem.title) return problem.title;
  return `The gateway answered ${response.status} ${response.statusText || ""}`.trim() + ".";
}

/** A message in words for any error: ApiError, network failure or abort. */
export function errorMessage(error) {
  if (error instanceof ApiError) return error.message;
  if (error?.name === "AbortError") return "Stopped.";
  if (error instanceof TypeError) return "The gateway could not be reached — is it running? (" + error.message + ")";
  return error?.message || String(error);
}
