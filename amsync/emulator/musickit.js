/* A stand-in for Apple's MusicKit on the Web (v3), served by the amsync emulator at
 * /musickit/v3/musickit.js. It implements what amsync's sign-in page uses: the global
 * MusicKit, the "musickitloaded" event, configure() and authorize(). authorize() asks in the page
 * (in place of Apple's sign-in window) and hands out a music user token the emulator accepts.
 * Not Apple's code; nothing here talks to Apple. */
(() => {
  "use strict";
  const origin = new URL(document.currentScript.src).origin;

  class MKError extends Error {
    constructor(errorCode, description) {
      super(errorCode + ": " + description);
      this.name = "MKError";
      this.errorCode = errorCode;
      this.description = description;
    }
  }

  async function post(path, developerToken) {
    // A string body is sent as text/plain: a CORS "simple" request, no preflight.
    return fetch(origin + path, {method: "POST", body: developerToken, credentials: "omit"});
  }

  function ask(appName) {
    return new Promise((resolve) => {
      const veil = document.createElement("div");
      veil.id = "musickit-consent";
      veil.setAttribute("role", "dialog");
      veil.setAttribute("aria-modal", "true");
      veil.style.cssText = "position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;" +
        "align-items:center;justify-content:center;font:15px system-ui,sans-serif;z-index:99";
      const box = document.createElement("div");
      box.style.cssText = "background:#fff;color:#111;border-radius:12px;padding:1.5em;" +
        "max-width:24em;box-shadow:0 8px 30px rgba(0,0,0,.3);text-align:center";
      const title = document.createElement("p");
      title.style.cssText = "font-weight:600;margin-top:0";
      title.textContent = "\u201c" + appName + "\u201d would like to access Apple Music";
      const note = document.createElement("p");
      note.textContent = "Apple Music sign-in of the amsync emulator (a stand-in: no Apple " +
        "Account is used).";
      const allow = document.createElement("button");
      allow.id = "musickit-allow";
      allow.textContent = "Allow";
      const deny = document.createElement("button");
      deny.id = "musickit-deny";
      deny.textContent = "Don\u2019t Allow";
      deny.style.marginRight = "1em";
      const close = (answer) => { veil.remove(); resolve(answer); };
      allow.onclick = () => close(true);
      deny.onclick = () => close(false);
      box.append(title, note, deny, allow);
      veil.append(box);
      document.body.append(veil);
    });
  }

  class MusicKitInstance {
    constructor(options) {
      this.developerToken = options.developerToken;
      this.app = options.app || {};
      this.musicUserToken = null;
    }
    get isAuthorized() { return this.musicUserToken !== null; }
    async authorize() {
      if (this.musicUserToken) return this.musicUserToken;
      if (!(await ask(this.app.name || "This app"))) {
        throw new MKError("AUTHORIZATION_ERROR", "the person did not allow access");
      }
      const answer = await post("/musickit/v3/authorize", this.developerToken);
      if (!answer.ok) throw new MKError("UNAUTHORIZED", "the developer token was refused");
      this.musicUserToken = (await answer.json()).music_user_token;
      return this.musicUserToken;
    }
    async unauthorize() { this.musicUserToken = null; }
  }

  let instance = null;
  window.MusicKit = {
    version: "3-amsync-emulator",
    MKError,
    async configure(options) {
      if (!options || !options.developerToken) {
        throw new MKError("CONFIGURATION_ERROR", "a developerToken is required");
      }
      const answer = await post("/musickit/v3/check", options.developerToken);
      if (!answer.ok) throw new MKError("UNAUTHORIZED", "the developer token was refused");
      instance = new MusicKitInstance(options);
      return instance;
    },
    getInstance() { return instance; },
  };

  const announce = () => document.dispatchEvent(new CustomEvent("musickitloaded"));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announce);
  } else {
    setTimeout(announce, 0);
  }
})();
