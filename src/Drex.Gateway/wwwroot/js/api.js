// The gateway's API as the page uses it: every call sends the API key for its role, and every failure becomes an
// ApiError that carries the ProblemDetails the gateway answered with (or one made up for a network failure).

const KEY_STORAGE = 'drex.apiKey';

/** A failed call: `status` is 0 when the gateway could not be reached; `problem` is a ProblemDetails object. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super(problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
    this.retryAfter = retryAfter;
  }
}

let config = { ratingMin: 1, ratingMax: 5, maxReviewLength: 8000, developmentKeys: null };

/** Reads /ui/config (no key needed): the rating range, and the development keys when they are the ones that work. */
export async function loadConfig() {
  config = { ...config, ...(await send('ui/config', {}, null)) };
  return config;
}

export const settings = () => config;

/** True when the gateway told the page to use the development keys. */
export const usesDevelopmentKeys = () => Boolean(config.developmentKeys);

export function keyFor(role) {
  if (config.developmentKeys) {
    return config.developmentKeys[role] ?? null;
  }

  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function saveKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

export const hasKey = () => Boolean(keyFor('read'));

const path = (...parts) => parts.map(encodeURIComponent).join('/');

export const api = {
  model: () => request('api/model'),
  user: id => request(`api/users/${path(id)}`),
  item: id => request(`api/items/${path(id)}`),
  recommendations: (id, k = 10) => request(`api/users/${path(id)}/recommendations?k=${k}`),
  prediction: (userId, itemId) => request(`api/users/${path(userId)}/predictions/${path(itemId)}`),
  postInteraction: interaction => request('api/interactions', { method: 'POST', body: interaction }, 'ingest'),
};

function request(url, init = {}, role = 'read') {
  return send(url, init, keyFor(role));
}

async function send(url, { method = 'GET', body } = {}, key) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (key) {
    headers['X-Api-Key'] = key;
  }

  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, {
      title: 'The gateway cannot be reached.',
      detail: 'Check that Drex is running (./run.sh) and try again.',
    });
  }

  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }

  if (response.ok) {
    return json;
  }

  const problem = json && typeof json === 'object' && !Array.isArray(json)
    ? json
    : { title: response.statusText || `HTTP ${response.status}`, detail: text.slice(0, 300) || undefined };
  throw new ApiError(response.status, problem, response.headers.get('Retry-After'));
}

/** 32 random hex digits: the interaction id that makes a retried post safe (works outside secure contexts too). */
export function newInteractionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
