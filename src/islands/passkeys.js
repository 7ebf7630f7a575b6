// sesame: the browser's half of passkeys (src/passkeys/ has the server's).
//
// Plain JavaScript rather than an island: the same code as Rust islands
// added 16 KB of brotli-compressed WASM (wasm-bindgen glue for Reflect,
// promises and closures) to every page's first visit, which pushed it over
// the 100 KiB budget; this file is 2.8 KB (brotli), cached for a year like
// the islands router. The pages render the buttons, hidden, with
// `data-passkey="<action>"`, and the message for browsers without
// JavaScript (`data-passkey-off`); this script shows the one or the other,
// on every page the islands router patches in too.
//
// Each ceremony: a server function answers the options as JSON, the
// browser turns them into what `navigator.credentials` takes
// (`PublicKeyCredential.parse…FromJSON`), the authenticator answers, and
// `credential.toJSON()` goes back in the form field `credential`.

const api = window.PublicKeyCredential;
const supported = !!(api && api.parseCreationOptionsFromJSON && api.parseRequestOptionsFromJSON);
const NO_PASSKEYS = 'This browser cannot use passkeys.';

/** POSTs a form to a server function; its JSON, or an Error with its message. */
async function call(path, fields) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  } catch {
    throw new Error('The server could not be reached. Please try again.');
  }
  const json = await res.json().catch(() => null);
  if (res.ok) return json;
  const error = json && ((json.fields && json.fields[0]) || json);
  throw new Error((error && error.message) || `The server answered ${res.status}.`);
}

/** What to tell the person when the browser's prompt fails. */
function promptError(err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'AbortError':
      return 'The passkey request was cancelled or timed out.';
    case 'InvalidStateError':
      return 'This passkey is already added to your account.';
    case 'SecurityError':
      return 'Passkeys do not work at this address: open the site at its PUBLIC_URL.';
    default:
      return 'The passkey request failed in this browser.';
  }
}

/** The autofill request waiting on /login: a browser runs one at a time. */
let waiting = null;

/**
 * One ceremony. A failure is an Error whose `answered` says whether the
 * authenticator had answered (so the server refused it).
 */
async function ceremony(kind, startFields, finishFields = {}, conditional = false) {
  const fail = (message, answered) => Object.assign(new Error(message), { answered });
  if (!supported) throw fail(NO_PASSKEYS, false);
  const create = kind === 'register';
  let publicKey;
  try {
    const options = JSON.parse(await call(`/api/passkey_${kind}_start`, startFields));
    publicKey = create
      ? api.parseCreationOptionsFromJSON(options.publicKey)
      : api.parseRequestOptionsFromJSON(options.publicKey);
  } catch (err) {
    throw fail(err.message, false);
  }
  const request = { publicKey };
  if (conditional) {
    waiting = new AbortController();
    Object.assign(request, { mediation: 'conditional', signal: waiting.signal });
  }
  let credential;
  try {
    credential = await (create ? navigator.credentials.create(request) : navigator.credentials.get(request));
  } catch (err) {
    throw fail(promptError(err), false);
  }
  const fields = { credential: JSON.stringify(credential.toJSON()), ...finishFields };
  try {
    return await call(`/api/passkey_${kind}_finish`, fields);
  } catch (err) {
    throw fail(err.message, true);
  }
}

/** Fetches this page again and patches it in (the islands router does, on popstate). */
const refresh = () => window.dispatchEvent(new PopStateEvent('popstate'));

/** Signs in and goes where the server says (a full load: every part of the page changes). */
async function signIn(button, conditional) {
  waiting?.abort();
  waiting = null;
  const remember = button.closest('main')?.querySelector('input[name=remember]')?.checked;
  const finish = { next: button.dataset.next ?? '', ...(remember ? { remember: 'on' } : {}) };
  const answer = await ceremony('login', conditional ? {} : { modal: 'on' }, finish, conditional);
  window.location.assign(answer.to);
}

const actions = {
  'sign-in': (button) => signIn(button, false),
  add: async () => {
    const name = document.getElementById('passkey-name');
    const added = await ceremony('register', { name: name?.value ?? '' });
    if (name) name.value = '';
    // The page, fetched again, lists the new passkey and says so.
    history.replaceState(null, '', `/profile/passkeys?added=${encodeURIComponent(added)}`);
    refresh();
  },
  confirm: async () => {
    await ceremony('reauth', {});
    refresh();
  },
  delete: async () => {
    await ceremony('reauth', {});
    await call('/api/delete_account', { password: '', passkey: 'on' });
    window.location.assign('/');
  },
};

/** Shows `message` under `button` (or clears it). */
function say(button, message) {
  const box = button.parentElement;
  box.querySelector('.error[role=alert]')?.remove();
  if (!message) return;
  const alert = document.createElement('p');
  alert.className = 'error';
  alert.setAttribute('role', 'alert');
  alert.textContent = message;
  box.append(alert);
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest?.('button[data-passkey]');
  const action = button && actions[button.dataset.passkey];
  if (!action || button.disabled) return;
  button.disabled = true;
  say(button, null);
  try {
    await action(button);
  } catch (err) {
    say(button, err.message);
  } finally {
    button.disabled = false;
  }
});

/** Shows what works in this browser, on the page as it is now. */
async function scan() {
  for (const off of document.querySelectorAll('[data-passkey-off]:not([data-seen])')) {
    off.dataset.seen = '';
    if (supported) off.hidden = true;
    else off.textContent = NO_PASSKEYS;
  }
  for (const on of document.querySelectorAll('[data-passkey]:not([data-seen]), [data-passkey-on]:not([data-seen])')) {
    on.dataset.seen = '';
    on.hidden = !supported;
    // The login page: passkeys in the username field's autofill too,
    // where the browser can; a failure there only matters once the
    // person picked a passkey.
    if (supported && on.dataset.passkey === 'sign-in' && (await api.isConditionalMediationAvailable?.())) {
      signIn(on, true).catch((err) => err.answered && say(on, err.message));
    }
  }
}

// The islands router replaces and patches parts of the page; it also
// removes `data-seen` from a node that the new page rendered without it.
new MutationObserver(scan).observe(document.body, {
  childList: true,
  subtree: true,
  attributes: true,
  attributeFilter: ['data-seen'],
});
scan();
