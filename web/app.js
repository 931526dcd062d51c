// The onboarding page: Facebook login (JS SDK, or the local stand-in), then the pipeline's API.
// The Tech Provider's token lives only in a local variable for the one POST: never in the DOM,
// the URL, storage or the console.

const FINAL = new Set(['ACCEPTED', 'EXISTING', 'CREATE_FAILED', 'ACCEPT_FAILED', 'REJECTED', 'DEACTIVATED', 'PENDING_DEACTIVATION']);
const STATUS_TEXT = {
  PENDING: 'waiting to be created',
  CREATING: 'being created',
  CREATED: 'created, being accepted',
  ACCEPTED: 'accepted',
  EXISTING: 'already connected',
  CREATE_FAILED: 'could not be created',
  ACCEPT_FAILED: 'created, but could not be accepted',
};

const launch = document.getElementById('launch');
const message = document.getElementById('message');
const result = document.getElementById('result');
const solutionsList = document.getElementById('solutions');

function say(text, isError = false) {
  message.textContent = text;
  message.classList.toggle('error', isError);
}

async function loadSdk(config) {
  await new Promise((resolve, reject) => {
    window.fbAsyncInit = resolve;
    const script = document.createElement('script');
    script.src = config.sdkUrl;
    script.async = true;
    script.onerror = () => reject(new Error('The Facebook SDK could not be loaded.'));
    document.head.appendChild(script);
  });
  window.FB.init({ appId: config.appId, cookie: false, xfbml: false, version: config.graphApiVersion });
}

function login() {
  return new Promise((resolve) => window.FB.login(resolve, { scope: 'manage_app_solution' }));
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(payload?.error?.message ?? `The server answered ${response.status}.`);
    error.status = response.status;
    throw error;
  }
  return payload;
}

function render(solutions) {
  solutionsList.replaceChildren(
    ...solutions.map((s) => {
      const li = document.createElement('li');
      li.dataset.appId = s.appId;
      const name = document.createElement('strong');
      name.textContent = s.appName || s.appId;
      const status = document.createElement('span');
      status.className = `status status-${s.status}`;
      status.dataset.status = s.status;
      status.textContent = ` — ${STATUS_TEXT[s.status] ?? s.status.toLowerCase()}`;
      li.append(name, status);
      if (s.solutionId) {
        const id = document.createElement('div');
        id.innerHTML = 'Solution ID: <code class="solution-id"></code>';
        id.querySelector('code').textContent = s.solutionId;
        li.append(id);
      }
      if (s.error) {
        const error = document.createElement('div');
        error.className = 'error';
        error.textContent = `Facebook said: ${s.error.message}`;
        li.append(error);
      }
      return li;
    }),
  );
}

async function follow(statusUrl) {
  let delay = 1000;
  for (;;) {
    const onboarding = await api('GET', statusUrl);
    render(onboarding.solutions);
    if (onboarding.solutions.every((s) => FINAL.has(s.status))) {
      say(onboarding.status === 'COMPLETED' ? 'All solutions are created and accepted.' : 'Finished, with problems: see each app below.', onboarding.status !== 'COMPLETED');
      return;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 10_000);
  }
}

async function onLaunch() {
  launch.disabled = true;
  try {
    const response = await login();
    if (!response.authResponse) {
      say('You closed the Facebook dialog before finishing. Click the button to try again.', true);
      return;
    }
    say('Setting up your solutions…');
    const started = await api('POST', '/api/onboardings', { accessToken: response.authResponse.accessToken });
    document.getElementById('onboarding-id').textContent = started.onboardingId;
    result.hidden = false;
    render(started.apps.map((a) => ({ appId: a.appId, appName: a.name, status: 'PENDING' })));
    await follow(started.statusUrl);
  } catch (error) {
    say(error.message, true);
  } finally {
    launch.disabled = false;
  }
}

try {
  const config = await (await fetch('/config.json')).json();
  await loadSdk(config);
  launch.addEventListener('click', onLaunch);
  launch.disabled = false;
} catch (error) {
  say(`This page could not start: ${error.message}`, true);
}
