// Facebook's JS SDK (or, locally, the Graph simulator's stand-in: same URL shape, same API).

/** FB.login ended without a login: `outcome` is `cancelled` or `not_authorized`. */
export class LoginNotCompleted extends Error {
  constructor(outcome) {
    super(`Facebook login ${outcome}`);
    this.name = 'LoginNotCompleted';
    this.outcome = outcome;
  }
}

/** Loads the SDK from `config.sdkUrl` and initialises it for our app. */
export function loadFacebookSdk(config) {
  return new Promise((resolve, reject) => {
    window.fbAsyncInit = () => {
      try {
        // No SDK cookie: nothing about the login is kept in the browser.
        window.FB.init({ appId: config.appId, cookie: false, xfbml: false, version: config.graphApiVersion });
        resolve();
      } catch (error) {
        reject(error);
      }
    };
    const script = document.createElement('script');
    script.src = config.sdkUrl;
    script.async = true;
    script.crossOrigin = 'anonymous';
    script.addEventListener('error', () => reject(new Error(`The script ${config.sdkUrl} did not load.`)));
    document.head.append(script);
  });
}

/**
 * Opens Facebook's login and resolves with `{accessToken, expiresIn}`: the user access token and its
 * lifetime in seconds (when the SDK gives one; the API keeps a check it defers no longer than that).
 * Call it straight from the click handler, before any `await`: browsers block the login popup otherwise.
 */
export function logIn() {
  return new Promise((resolve, reject) => {
    window.FB.login(
      (response) => {
        const auth = response?.authResponse;
        if (auth?.accessToken) resolve({ accessToken: auth.accessToken, expiresIn: Number.isInteger(auth.expiresIn) ? auth.expiresIn : undefined });
        else reject(new LoginNotCompleted(response?.status === 'not_authorized' ? 'not_authorized' : 'cancelled'));
      },
      { scope: 'manage_app_solution' },
    );
  });
}
