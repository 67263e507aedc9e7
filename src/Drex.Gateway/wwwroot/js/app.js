// The DReX demo page: choose a user, see the top-10 recommendations with the words that explain them, the user's and
// an item's keyword profiles, the model version and the live (prequential) MAE; post a rating and/or a review and
// watch the profile and the recommendations refresh.
import { api, ApiError, forgetKey, hasKey, loadConfig, newInteractionId, saveKey, settings, usesDevelopmentKeys } from './api.js';
import { el, fixed, flash, hideProblem, renderBars, setBusy, showMae, showProblem } from './render.js';

const $ = id => document.getElementById(id);
const RECOMMENDATIONS = 10;
const PROFILE_WORDS = 15;
const RECENT_STORAGE = 'drex.recentUsers';
const DEMO_USERS = Array.from({ length: 12 }, (_, u) => `demo-user-${u}-g${u % 4}`);
const MODEL_REFRESH_MS = 30_000;

const state = {
  user: null,
  /** Bumped on every user change: answers for an earlier user are dropped. */
  generation: 0,
  selectedItem: null,
  /** item id -> its entry in the current recommendations (for the item card's predicted rating). */
  recommended: new Map(),
  /** The words of the last rendered profile of the current user (to mark new ones). */
  userWords: null,
  itemWords: null,
};

const alertBox = $('alert');

document.addEventListener('DOMContentLoaded', () => start().catch(error => showProblem(alertBox, error, 'The page could not start')));

async function start() {
  wireForms();
  try {
    await loadConfig();
  } catch (error) {
    showProblem(alertBox, error, 'Could not read the page settings');
  }

  renderKeyState();
  renderRatingOptions();
  renderSuggestions();
  updateReviewCounter();

  await refreshModel();
  setInterval(() => { if (!document.hidden) refreshModel(); }, MODEL_REFRESH_MS);

  const fromUrl = new URLSearchParams(location.search).get('user');
  if (fromUrl) {
    $('user-id').value = fromUrl;
    await showUser(fromUrl);
  }

  document.body.dataset.ready = 'true';
}

function wireForms() {
  $('user-form').addEventListener('submit', event => {
    event.preventDefault();
    const id = $('user-id').value.trim();
    $('user-id').value = id;
    if (id) {
      showUser(id);
    } else {
      $('user-id').focus();
    }
  });

  $('key-form').addEventListener('submit', event => {
    event.preventDefault();
    const key = $('api-key').value.trim();
    if (!key) {
      return;
    }

    saveKey(key);
    $('api-key').value = '';
    renderKeyState();
    hideProblem(alertBox);
    refreshModel();
    if (state.user) {
      showUser(state.user);
    }
  });

  $('api-key-forget').addEventListener('click', () => {
    forgetKey();
    renderKeyState();
  });

  $('refresh').addEventListener('click', () => state.user && refreshAll());
  $('item-close').addEventListener('click', closeItem);
  $('post-form').addEventListener('submit', postInteraction);
  $('post-review').addEventListener('input', updateReviewCounter);
}

// ---- keys and settings ----------------------------------------------------------------------------------------------

function renderKeyState() {
  const development = usesDevelopmentKeys();
  $('key-panel').hidden = development;
  $('api-key-forget').hidden = !hasKey();
  $('key-status').textContent = development
    ? 'Development: the page sends the development keys (dev-read, dev-ingest).'
    : hasKey() ? 'Using the API key pasted in this tab.' : 'Paste an API key to use the page.';
}

function renderRatingOptions() {
  const { ratingMin, ratingMax } = settings();
  const step = Number.isInteger(ratingMin) && Number.isInteger(ratingMax) ? 1 : 0.5;
  const options = [el('label', { class: 'star none' },
    el('input', { type: 'radio', name: 'rating', value: '', checked: true }),
    el('span', { text: 'None' }))];
  for (let value = ratingMin; value <= ratingMax + 1e-9; value += step) {
    options.push(el('label', { class: 'star', title: `${value} out of ${ratingMax}` },
      el('input', { type: 'radio', name: 'rating', value: String(value), 'aria-label': `${value} out of ${ratingMax}` }),
      el('span', { 'aria-hidden': 'true', text: `${value} ★` })));
  }

  $('rating-options').replaceChildren(...options);
  $('post-review').maxLength = settings().maxReviewLength;
}

function updateReviewCounter() {
  const length = $('post-review').value.length;
  $('post-review-count').textContent = `${length} / ${settings().maxReviewLength} characters`;
}

function recentUsers() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_STORAGE) ?? '[]').filter(id => typeof id === 'string');
  } catch {
    return [];
  }
}

function rememberUser(id) {
  try {
    localStorage.setItem(RECENT_STORAGE, JSON.stringify([id, ...recentUsers().filter(u => u !== id)].slice(0, 8)));
  } catch {
    // Storage unavailable: suggestions simply do not remember.
  }

  renderSuggestions();
}

function renderSuggestions() {
  const ids = [...new Set([...recentUsers(), ...DEMO_USERS])];
  $('user-suggestions').replaceChildren(...ids.map(id => el('option', { value: id })));
}

// ---- model ----------------------------------------------------------------------------------------------------------

async function refreshModel() {
  try {
    const model = await api.model();
    $('model-version').textContent = model.version;
    $('model-validation-mae').textContent = fixed(model.validationMae);
    const published = new Date(model.publishedAt);
    $('model-published').textContent = published.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    $('model-published').title = `${model.trainedInteractions} interactions trained; ${model.head} head`;
    if (alertBox.dataset.source === 'model') {
      hideProblem(alertBox);
    }
  } catch (error) {
    $('model-version').textContent = error.status === 404 ? 'none published' : 'unavailable';
    $('model-validation-mae').textContent = '–';
    $('model-published').textContent = '–';
    if (error.status !== 404 && alertBox.hidden) {
      showProblem(alertBox, error, 'Could not read the model');
      alertBox.dataset.source = 'model';
    }
  }
}

// ---- user -----------------------------------------------------------------------------------------------------------

async function showUser(id) {
  state.generation++;
  state.user = id;
  state.userWords = null;
  closeItem();
  hideProblem(alertBox);
  delete alertBox.dataset.source;
  for (const name of document.querySelectorAll('.user-name')) {
    name.textContent = id;
  }

  $('synthetic-note').hidden = !id.startsWith('demo-');
  $('workspace').hidden = false;
  $('post-status').textContent = '';
  hideProblem($('post-error'));
  const url = new URL(location.href);
  url.searchParams.set('user', id);
  history.replaceState(null, '', url);
  document.title = `${id} · DReX`;
  await refreshAll();
}

async function refreshAll({ highlight = false } = {}) {
  await Promise.all([refreshProfile(highlight), refreshRecommendations(highlight), refreshModel()]);
}

async function refreshProfile(highlight) {
  const generation = state.generation;
  const card = $('profile-card');
  setBusy(card, true);
  try {
    const view = await api.user(state.user);
    if (generation !== state.generation) {
      return;
    }

    $('user-interactions').textContent = view.interactions;
    $('user-ratings').textContent = view.ratings;
    showMae($('user-mae'), view.prequentialMae);
    $('user-state').textContent = `State under model ${view.modelVersion}.`;
    renderProfileBars($('user-keywords'), $('user-keywords-empty'), view.keywords, state.userWords,
      'No keywords yet: post a review to build the profile.');
    state.userWords = new Set(view.keywords.map(k => k.word));
    rememberUser(state.user);
    if (highlight) {
      flash(card);
    }
  } catch (error) {
    if (generation !== state.generation) {
      return;
    }

    $('user-interactions').textContent = '0';
    $('user-ratings').textContent = '0';
    $('user-mae').textContent = '–';
    $('user-keywords').replaceChildren();
    state.userWords = new Set();
    if (error instanceof ApiError && error.status === 404) {
      $('user-state').textContent = 'A new user: no interaction yet. Post a rating or a review to create the profile.';
      showEmpty($('user-keywords-empty'), 'No keywords yet.');
    } else {
      $('user-state').textContent = '';
      showEmpty($('user-keywords-empty'), 'The profile could not be loaded.');
      showProblem(alertBox, error, 'Could not load the user');
    }
  } finally {
    if (generation === state.generation) {
      setBusy(card, false);
    }
  }
}

function renderProfileBars(list, empty, keywords, previous, emptyText) {
  const top = keywords.slice(0, PROFILE_WORDS);
  renderBars(list, top.map(k => ({ word: k.word, value: k.weight, title: `${k.word}: weight ${fixed(k.weight, 3)}` })),
    { previous });
  if (top.length === 0) {
    showEmpty(empty, emptyText);
  } else {
    empty.hidden = true;
  }
}

function showEmpty(node, text) {
  node.textContent = text;
  node.hidden = false;
}

// ---- recommendations ------------------------------------------------------------------------------------------------

async function refreshRecommendations(highlight) {
  const generation = state.generation;
  const card = $('recommendations-card');
  setBusy(card, true);
  try {
    const view = await api.recommendations(state.user, RECOMMENDATIONS);
    if (generation !== state.generation) {
      return;
    }

    renderRecommendations(view);
    if (highlight) {
      flash(card);
    }
  } catch (error) {
    if (generation !== state.generation) {
      return;
    }

    $('recommendations').replaceChildren();
    state.recommended.clear();
    showEmpty($('recommendations-empty'), 'No recommendations: see the message above.');
    showProblem(alertBox, error, 'Could not load the recommendations');
  } finally {
    if (generation === state.generation) {
      setBusy(card, false);
    }
  }
}

function renderRecommendations(view) {
  const items = view.items ?? [];
  state.recommended = new Map(items.map(item => [item.itemId, item]));
  const maxScore = Math.max(0, ...items.flatMap(item => item.explanation.map(m => m.score)));
  const { ratingMax } = settings();
  $('recommendations').replaceChildren(...items.map((item, rank) => {
    const selected = item.itemId === state.selectedItem;
    const explanation = el('ul', { class: 'bars small explanation', 'aria-label': `Why ${item.itemId}` });
    renderBars(explanation, item.explanation.map(m => ({
      word: m.word,
      value: m.score,
      title: `${m.word}: user weight ${fixed(m.userWeight, 3)} × item weight ${fixed(m.itemWeight, 3)}`,
    })), { max: maxScore, barClass: 'why' });
    const stars = el('span', { class: 'prediction-track', 'aria-hidden': 'true' }, el('span', { class: 'prediction-fill' }));
    stars.firstChild.style.width = `${Math.max(0, Math.min(100, (item.rating / ratingMax) * 100))}%`;
    return el('li', { class: `rec${selected ? ' selected' : ''}`, dataset: { item: item.itemId } },
      el('div', { class: 'rec-head' },
        el('span', { class: 'rank', 'aria-hidden': 'true', text: String(rank + 1) }),
        el('button', {
          type: 'button',
          class: 'item-button',
          'aria-pressed': selected ? 'true' : 'false',
          'aria-controls': 'item-card',
          text: item.itemId,
        }),
        el('span', { class: 'prediction', title: `Predicted rating ${fixed(item.rating)} of ${ratingMax}` },
          stars, el('span', { class: 'prediction-value', text: fixed(item.rating) }),
          el('span', { class: 'visually-hidden', text: ` predicted rating out of ${ratingMax}` }))),
      item.explanation.length > 0
        ? [el('p', { class: 'why-label', text: 'Because of' }), explanation]
        : el('p', { class: 'why-none', text: 'No shared words yet: the ranking comes from the model\'s states alone.' }));
  }));
  for (const button of $('recommendations').querySelectorAll('.item-button')) {
    button.addEventListener('click', () => selectItem(button.closest('li').dataset.item));
  }

  if (items.length === 0) {
    showEmpty($('recommendations-empty'), 'Nothing to recommend: this user has rated every item the model knows.');
  } else {
    $('recommendations-empty').hidden = true;
  }
}

// ---- item -----------------------------------------------------------------------------------------------------------

async function selectItem(itemId, { highlight = false } = {}) {
  const changed = state.selectedItem !== itemId;
  state.selectedItem = itemId;
  if (changed) {
    state.itemWords = null;
  }

  for (const li of $('recommendations').children) {
    const selected = li.dataset.item === itemId;
    li.classList.toggle('selected', selected);
    li.querySelector('.item-button').setAttribute('aria-pressed', selected ? 'true' : 'false');
  }

  $('post-item').value = itemId;
  $('item-name').textContent = itemId;
  const card = $('item-card');
  card.hidden = false;
  setBusy(card, true);
  const generation = state.generation;
  const user = state.user;
  const current = () => generation === state.generation && state.selectedItem === itemId;
  const [item, prediction] = await Promise.allSettled([api.item(itemId), api.prediction(user, itemId)]);
  if (!current()) {
    return;
  }

  $('item-prediction').textContent = prediction.status === 'fulfilled'
    ? `Predicted rating for ${user} now: ${fixed(prediction.value.rating)} of ${settings().ratingMax}.`
    : '';
  if (item.status === 'fulfilled') {
    const view = item.value;
    $('item-interactions').textContent = view.interactions;
    $('item-ratings').textContent = view.ratings;
    showMae($('item-mae'), view.prequentialMae);
    renderProfileBars($('item-keywords'), $('item-keywords-empty'), view.keywords, state.itemWords, 'No keywords yet.');
    state.itemWords = new Set(view.keywords.map(k => k.word));
    if (highlight) {
      flash(card);
    }
  } else {
    const error = item.reason;
    $('item-keywords').replaceChildren();
    for (const id of ['item-interactions', 'item-ratings', 'item-mae']) {
      $(id).textContent = '–';
    }

    if (error instanceof ApiError && error.status === 404) {
      showEmpty($('item-keywords-empty'), 'No interaction with this item yet.');
    } else {
      showEmpty($('item-keywords-empty'), 'The item could not be loaded.');
      showProblem(alertBox, error, `Could not load item ${itemId}`);
    }
  }

  setBusy(card, false);
}

function closeItem() {
  state.selectedItem = null;
  state.itemWords = null;
  $('item-card').hidden = true;
  for (const li of $('recommendations').children) {
    li.classList.remove('selected');
    li.querySelector('.item-button')?.setAttribute('aria-pressed', 'false');
  }
}

// ---- posting --------------------------------------------------------------------------------------------------------

const FIELDS = { itemId: 'post-item', rating: 'post-rating', review: 'post-review' };

function clearFieldErrors() {
  for (const [, id] of Object.entries(FIELDS)) {
    $(`${id}-error`).textContent = '';
    $(id)?.removeAttribute('aria-invalid');
  }

  $('rating-options').closest('fieldset').removeAttribute('aria-invalid');
}

function showFieldErrors(errors) {
  for (const [field, messages] of Object.entries(errors ?? {})) {
    const id = FIELDS[field];
    if (!id) {
      continue;
    }

    $(`${id}-error`).textContent = [].concat(messages).join(' ');
    ($(id) ?? $('rating-options').closest('fieldset')).setAttribute('aria-invalid', 'true');
  }
}

async function postInteraction(event) {
  event.preventDefault();
  if (!state.user) {
    return;
  }

  clearFieldErrors();
  hideProblem($('post-error'));
  const itemId = $('post-item').value.trim();
  $('post-item').value = itemId;
  if (!itemId) {
    showFieldErrors({ itemId: ['Enter the id of the item to rate or review.'] });
    $('post-item').focus();
    return;
  }

  const ratingText = new FormData($('post-form')).get('rating');
  const review = $('post-review').value;
  const interaction = { id: newInteractionId(), userId: state.user, itemId };
  if (ratingText) {
    interaction.rating = Number(ratingText);
  }

  if (review.trim()) {
    interaction.review = review;
  }

  const button = $('post-submit');
  button.disabled = true;
  $('post-status').textContent = 'Posting…';
  const generation = state.generation;
  try {
    const result = await api.postInteraction(interaction);
    if (generation !== state.generation) {
      return;
    }

    const what = [ratingText ? `${ratingText} ★` : null, interaction.review ? 'a review' : null].filter(Boolean).join(' and ');
    $('post-status').textContent = result.duplicate
      ? 'Already posted: nothing changed.'
      : `Posted ${what} for ${itemId}. Predicted before it: ${fixed(result.prediction)} (model ${result.modelVersion}, log #${result.sequence}).`;
    $('post-review').value = '';
    updateReviewCounter();
    $('post-form').querySelector('input[name="rating"][value=""]').checked = true;
    await Promise.all([refreshAll({ highlight: true }), selectItem(itemId, { highlight: true })]);
  } catch (error) {
    $('post-status').textContent = '';
    showFieldErrors(error.problem?.errors);
    showProblem($('post-error'), error, 'Not posted');
  } finally {
    button.disabled = false;
  }
}
