/*
 * A stand-in for Facebook's JS SDK (connect.facebook.net/en_US/sdk.js), served by the Graph
 * simulator so the onboarding page works offline. It implements FB.init, FB.login and
 * FB.getLoginStatus; FB.login shows a consent step where the Tech Provider picks apps, then calls
 * back with an authResponse holding a simulator user token, as the real SDK does.
 */
(function () {
  'use strict';
  var simulatorOrigin = new URL(document.currentScript.src).origin;
  var initialized = null;
  var lastResponse = { status: 'unknown', authResponse: null };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function consentDialog(info, scope, done) {
    var tp = info.techProvider;
    var overlay = el('div', { id: 'fb-sim-consent', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'fb-sim-title',
      style: 'position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:2147483647;font:15px system-ui,sans-serif' });
    var form = el('form', { style: 'background:#fff;color:#1c1e21;border-radius:8px;padding:20px;width:min(420px,92vw);box-shadow:0 8px 28px rgba(0,0,0,.3)' });
    form.appendChild(el('h2', { id: 'fb-sim-title', text: 'Facebook (local simulator)', style: 'margin:0 0 8px;font-size:18px;color:#1877f2' }));
    form.appendChild(el('p', { text: (info.partnerApp.name) + ' asks to create Multi-Partner Solutions with your apps.', style: 'margin:0 0 12px' }));
    form.appendChild(el('p', { text: 'Logged in as ' + tp.name + '. Select the apps:', style: 'margin:0 0 8px;font-weight:600' }));
    tp.apps.forEach(function (app) {
      var box = el('input', { type: 'checkbox', name: 'app', value: app.id, id: 'fb-sim-app-' + app.id });
      form.appendChild(el('label', { 'for': box.id, style: 'display:block;margin:4px 0' }, [box, document.createTextNode(' ' + app.name + ' (' + app.id + ')')]));
    });
    var grant = el('input', { type: 'checkbox', id: 'fb-sim-grant', checked: 'checked' });
    form.appendChild(el('label', { 'for': 'fb-sim-grant', style: 'display:block;margin:12px 0' }, [grant, document.createTextNode(' Allow ' + scope)]));
    var cancel = el('button', { type: 'button', id: 'fb-sim-cancel', text: 'Cancel', style: 'margin-right:8px;padding:8px 14px' });
    var ok = el('button', { type: 'submit', id: 'fb-sim-continue', text: 'Continue', style: 'padding:8px 14px;background:#1877f2;color:#fff;border:0;border-radius:6px' });
    form.appendChild(el('div', { style: 'text-align:right' }, [cancel, ok]));
    overlay.appendChild(form);
    document.body.appendChild(overlay);
    function close(result) { overlay.remove(); done(result); }
    cancel.addEventListener('click', function () { close(null); });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var appIds = Array.prototype.map.call(form.querySelectorAll('input[name=app]:checked'), function (b) { return b.value; });
      var scopes = grant.checked ? scope.split(',').concat(['public_profile']) : ['public_profile'];
      close({ appIds: appIds, scopes: scopes, userId: tp.userId });
    });
  }

  function request(method, path, body) {
    return fetch(simulatorOrigin + path, {
      method: method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (!r.ok) throw new Error('simulator answered ' + r.status);
      return r.json();
    });
  }

  window.FB = {
    init: function (options) {
      if (!options || !options.appId) throw new Error('FB.init requires appId');
      initialized = options;
    },
    getLoginStatus: function (callback) { callback(lastResponse); },
    login: function (callback, options) {
      if (!initialized) throw new Error('FB.login called before FB.init');
      var scope = (options && options.scope) || '';
      request('GET', '/__sim/consent')
        .then(function (info) {
          consentDialog(info, scope, function (choice) {
            if (!choice) {
              lastResponse = { status: 'unknown', authResponse: null };
              callback(lastResponse);
              return;
            }
            request('POST', '/__sim/consent', choice).then(function (authResponse) {
              lastResponse = { status: 'connected', authResponse: authResponse };
              callback(lastResponse);
            }, function () {
              lastResponse = { status: 'unknown', authResponse: null };
              callback(lastResponse);
            });
          });
        }, function () {
          callback({ status: 'unknown', authResponse: null });
        });
    },
  };
  if (typeof window.fbAsyncInit === 'function') window.fbAsyncInit();
})();
