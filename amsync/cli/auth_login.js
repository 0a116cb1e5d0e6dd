/* The amsync sign-in page: load MusicKit, sign in, hand the music user token to the amsync
 * command that serves this page (POST /callback with the one-time state). When the MusicKit
 * script cannot load (within scriptTimeoutMs) or MusicKit refuses to start, the page says so
 * and tells the command, which then ends at once. */
(() => {
  "use strict";
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const statusLine = document.getElementById("status");
  const button = document.getElementById("signin");
  const help = document.getElementById("help");
  let loaded = false;
  let finished = false;

  function show(state, text) {
    document.body.dataset.state = state;
    statusLine.textContent = text;
  }

  async function tell(answer) {
    const reply = await fetch("/callback", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(Object.assign({state: settings.state}, answer)),
    });
    return reply.status;
  }

  function scriptHost() {
    try { return new URL(settings.musickitUrl, location.href).host; } catch (e) { return "?"; }
  }

  async function unavailable(reason) {
    if (loaded || finished) return;
    finished = true;
    button.hidden = true;
    document.getElementById("script-host").textContent = scriptHost();
    help.hidden = false;
    show("unavailable", "Apple's MusicKit script could not be loaded from " + scriptHost() +
      " (" + reason + "). The amsync command has stopped; see below, then run " +
      "`amsync auth login` again.");
    try { await tell({error: "musickit-unavailable", detail: reason}); } catch (e) { /* gone */ }
  }

  async function failed(err) {
    finished = true;
    button.hidden = true;
    show("failed", "MusicKit could not start: " + err + ". The amsync command has stopped; " +
      "check the developer token with `amsync doctor`.");
    try { await tell({error: "musickit-failed", detail: String(err)}); } catch (e) { /* gone */ }
  }

  async function signIn(music) {
    button.disabled = true;
    show("authorizing", "Waiting for you to sign in to Apple Music…");
    let token;
    try {
      token = await music.authorize();
    } catch (err) {
      show("cancelled", "Sign-in was cancelled or did not complete (" + err + "). " +
        "Click the button to try again; the amsync command is still waiting.");
      button.disabled = false;
      return;
    }
    let status;
    try { status = await tell({music_user_token: token}); } catch (e) { status = 0; }
    if (status === 204) {
      finished = true;
      button.hidden = true;
      show("done", "Done: amsync has stored your music user token. You can close this page.");
    } else {
      button.hidden = true;
      show("refused", "amsync did not take the token (" + (status || "no answer") + "). " +
        "Run `amsync auth login` again.");
    }
  }

  document.addEventListener("musickitloaded", async () => {
    if (finished) return;
    loaded = true;
    let music;
    try {
      music = await MusicKit.configure({
        developerToken: settings.developerToken,
        app: {name: "amsync", build: "1"},
      });
    } catch (err) {
      await failed(err);
      return;
    }
    show("ready", "Sign in with your Apple Account to let amsync read your library.");
    button.hidden = false;
    button.onclick = () => signIn(music);
  });

  const script = document.createElement("script");
  script.src = settings.musickitUrl;
  script.async = true;
  script.setAttribute("data-web-components", "");
  let fetched = false;
  script.onload = () => { fetched = true; };
  script.onerror = () => unavailable("the request failed");
  setTimeout(() => unavailable(fetched
    ? "it loaded but MusicKit did not start within " + settings.scriptTimeoutMs / 1000 + " s"
    : "no answer within " + settings.scriptTimeoutMs / 1000 + " s"), settings.scriptTimeoutMs);
  document.head.append(script);
})();
