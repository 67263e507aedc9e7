// DOM helpers: weighted bars, ProblemDetails messages, numbers. Text always goes in as text (never as HTML).

/** Creates an element with attributes (class, dataset, aria-*, ...) and children (nodes or strings). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }

    if (name === 'class') {
      node.className = value;
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (name === 'text') {
      node.textContent = value;
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }

  node.append(...children.flat().filter(child => child !== null && child !== undefined && child !== false));
  return node;
}

/** A live (prequential) MAE, or a dash with the reason when nothing was predicted live yet. */
export function showMae(node, mae) {
  node.textContent = fixed(mae);
  node.title = mae === null || mae === undefined ? 'No rating has been predicted live yet.' : '';
}

export const fixed = (value, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : Number(value).toFixed(digits);

/**
 * Fills a list with weighted bars, one per entry {word, value, title?}: the bar's length is the value relative to
 * `max` (the largest value when absent). Words not in `previous` are marked new (when `previous` is given: the words
 * of the list's last rendering for the same user or item).
 */
export function renderBars(list, entries, { max, previous, barClass = '' } = {}) {
  const top = max ?? Math.max(0, ...entries.map(e => e.value));
  list.classList.toggle('has-new', Boolean(previous) && entries.some(e => !previous.has(e.word)));
  list.replaceChildren(...entries.map(entry => {
    const share = top > 0 ? Math.max(2, Math.round((entry.value / top) * 100)) : 0;
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${share}%`;
    const isNew = previous && !previous.has(entry.word);
    return el('li', { class: `bar ${barClass}${isNew ? ' new' : ''}`, title: entry.title, dataset: { word: entry.word } },
      el('span', { class: 'word', text: entry.word }),
      el('span', { class: 'track', 'aria-hidden': 'true' }, fill),
      el('span', { class: 'value', text: fixed(entry.value) }),
      isNew ? el('span', { class: 'badge', text: 'new' }) : null);
  }));
}

const hints = {
  0: null,
  401: 'The gateway did not accept the API key (missing or unknown): paste a key that has the read and ingest roles.',
  403: 'This API key lacks the role for this action (read to view, ingest to post).',
};

/** Fills an alert box with a ProblemDetails (title, detail, field errors, a hint for the status) and shows it. */
export function showProblem(box, error, context) {
  const problem = error?.problem ?? { title: String(error?.message ?? error) };
  const status = error?.status;
  const parts = [el('strong', { text: context ? `${context}: ${problem.title ?? 'Error'}` : problem.title ?? 'Error' })];
  if (problem.detail) {
    parts.push(el('p', { text: problem.detail }));
  }

  const fields = Object.entries(problem.errors ?? {});
  if (fields.length > 0) {
    parts.push(el('ul', { class: 'problem-fields' },
      fields.map(([field, messages]) => el('li', {}, el('code', { text: field || '$' }), ' ', [].concat(messages).join(' ')))));
  }

  const hint = status === 429
    ? `Too many requests for this key${error.retryAfter ? `: try again in ${error.retryAfter} s` : ''}.`
    : hints[status];
  if (hint) {
    parts.push(el('p', { class: 'problem-hint', text: hint }));
  }

  const meta = [status ? `HTTP ${status}` : null, problem.traceId ? `trace ${problem.traceId}` : null].filter(Boolean);
  if (meta.length > 0) {
    parts.push(el('p', { class: 'problem-meta', text: meta.join(' · ') }));
  }

  box.replaceChildren(...parts);
  box.hidden = false;
}

export function hideProblem(box) {
  box.hidden = true;
  box.replaceChildren();
}

/** Briefly highlights a card that just changed. */
export function flash(node) {
  node.classList.remove('updated');
  void node.offsetWidth;
  node.classList.add('updated');
}

export function setBusy(node, busy) {
  node.setAttribute('aria-busy', busy ? 'true' : 'false');
}
