/* kibitz-web.js: a browser participant in a Kibitz class, plain RTCPeerConnection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks the Kibitz wire protocol (protocol.md, version 1, with the classes
 * of §4) and nothing else: GET /v1/config, a WebSocket join, the newcomer
 * offers to everyone listed in `welcome`, trickled candidates, one
 * RTCPeerConnection per remote peer with the ice_servers of the latest
 * `welcome`. See docs/browser-client.md.
 *
 * Two ways in:
 * - behind an invite link, /j/<code> on kibitz-server: the server is this
 *   page's own origin, the code comes from the path and the room from the
 *   code's first part (base64url of the room key);
 * - from any static server, with query parameters.
 *
 * Query parameters (all optional): server, room, name, video=0|1, audio=0|1,
 * missing=recvonly|omit (what to offer for a kind we do not capture),
 * ice-address=ADDR (repeatable: only candidates on these addresses are sent),
 * report=URL (POST the status JSON there every second), autojoin=1,
 * invite=CODE, lang=en|pl, share=1 (share a screen once in; tests),
 * screen=test (share a drawn screen instead of asking the browser; tests).
 */

'use strict';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

/* --- Words ---------------------------------------------------------------- */

/* Every sentence the page shows, one table per language; {name} fills in. */
const STRINGS = {
  en: {
    title: 'Kibitz',
    joinTitle: 'Join the class',
    joinTitleRoom: 'Join “{room}”',
    joinText: 'Check your camera and microphone, type your name, and press Join.',
    joinTextManual: 'Type the server, the class and your name, and press Join.',
    expired: 'This invite link has expired. You can still ask to join: the teacher will have to let you in.',
    nameLabel: 'Your name',
    namePlaceholder: 'For example: Ola (Kasia’s mum)',
    nameMissing: 'Please type your name first, so the teacher knows who you are.',
    camera: 'Camera',
    microphone: 'Microphone',
    advanced: 'Server and class',
    server: 'Server',
    room: 'Class',
    join: 'Join',
    joining: 'Joining…',
    openApp: 'Open in the Kibitz app',
    previewStarting: 'Starting the camera…',
    previewOff: 'Camera off',
    noCamera: 'No camera was found. You can still join: the class will hear you and you will see and hear the class.',
    noMicrophone: 'No microphone was found. You can still join and see and hear the class.',
    noDevices: 'No camera or microphone was found. You can still join and see and hear the class.',
    denied: 'The browser was not allowed to use the camera and microphone. You can still join and see and hear the class; to be seen and heard, allow them in the browser’s address bar and reload the page.',
    mediaFailed: 'The camera and microphone could not be started ({error}). You can still join and see and hear the class.',
    waitingTitle: 'Waiting for the teacher to let you in',
    waitingText: 'The teacher can see that you are here. Please keep this page open.',
    waitingExpired: 'Your invite link has expired, so the teacher has to let you in.',
    waitingInvalid: 'Your invite link is not valid for this class any more, so the teacher has to let you in.',
    waitingNoInvite: 'The teacher lets everyone in themselves.',
    cancel: 'Cancel',
    leave: 'Leave',
    micOn: 'Mute',
    micOff: 'Unmute',
    camOn: 'Stop camera',
    camOff: 'Start camera',
    noMic: 'No microphone',
    noCam: 'No camera',
    shareScreen: 'Share screen',
    stopSharing: 'Stop sharing',
    sharing: '{name} is sharing their screen',
    shareFailed: 'Screen sharing did not start. You can try again and pick a screen or window.',
    shareNotAllowed: 'Your teacher chooses who shares a screen.',
    mutedByTeacher: 'The teacher turned your microphone off.',
    mutedMayUnmute: 'The teacher turned your microphone off. You can turn it on again when you need to speak.',
    unmuteNotAllowed: 'The teacher has switched off students’ microphones for now, so you cannot turn yours on.',
    you: '{name} (you)',
    joinedStatus: 'You are in “{room}”.',
    reconnecting: 'The connection dropped. Reconnecting…',
    leftTitle: 'You left the class',
    leftText: 'You can close this page, or join again.',
    joinAgain: 'Join again',
    endedTitle: 'The class has ended',
    endedText: 'The teacher ended the class. You can close this page.',
    removedTitle: 'The teacher removed you from the class',
    removedText: 'If this was a mistake, please contact the teacher.',
    deniedTitle: 'The teacher did not let you in',
    deniedText: 'If you think this is a mistake, please contact the teacher.',
    lockedTitle: 'The class is locked',
    lockedText: 'The teacher is not letting anyone else in right now. Try again later or contact the teacher.',
    fullTitle: 'The class is full',
    fullText: 'There is no room for anyone else right now. Try again later.',
    badRoomTitle: 'This class name does not work',
    badRoomText: 'The class name is empty or too long. Please check the link.',
    badNameTitle: 'Please choose another name',
    badNameText: 'Names have 1 to 64 characters and no line breaks.',
    badLinkTitle: 'This link is not complete',
    badLinkText: 'Part of the invite link is missing, perhaps cut off in the message. Please open the whole link, or ask the teacher to send it again.',
    failedTitle: 'Could not connect',
    failedText: 'The class server did not answer ({error}). Check your internet connection and try again.',
    tryAgain: 'Try again',
    details: 'Technical details',
    boardLabel: 'Shared chessboard',
    boardMoves: 'Moves',
    boardStart: 'Start',
    boardStartPosition: 'Start position:',
    boardAfter: 'After {move}:',
    boardWhiteToMove: 'White to move',
    boardBlackToMove: 'Black to move',
    boardInCheck: ', in check',
    boardOver: 'Game over: {who} ({result}).',
    boardCheckmate: 'Checkmate: {who} ({result}).',
    boardStalemate: 'Stalemate: {who} ({result}).',
    boardInsufficient: 'Neither side can mate: {who} ({result}).',
    boardFifty: 'Fifty moves without a capture or a pawn move: {who} ({result}).',
    boardThreefold: 'The same position three times: {who} ({result}).',
    boardWhiteWins: 'White wins',
    boardBlackWins: 'Black wins',
    boardDraw: 'a draw',
    boardSave: 'Save game (PGN)',
    boardOpen: 'Open game (PGN)…',
    boardFen: 'Position (FEN)',
    boardCopy: 'Copy',
    boardCopied: 'The position is on the clipboard.',
    boardSetUp: 'Set up',
    boardTooBig: 'This file is over 64 KiB, more than a class game can be: it was not sent.',
    boardShowing: 'Showing move {ply} of {total}.',
    boardMayMove: 'You may move.',
    boardTeacherChooses: 'Your teacher chooses who moves.',
    boardFlip: 'Flip board',
    boardPromote: 'Promote to',
    boardQueen: 'Queen',
    boardRook: 'Rook',
    boardBishop: 'Bishop',
    boardKnight: 'Knight',
    boardCancel: 'Cancel',
  },
  pl: {
    title: 'Kibitz',
    joinTitle: 'Dołącz do zajęć',
    joinTitleRoom: 'Dołącz do zajęć „{room}”',
    joinText: 'Sprawdź kamerę i mikrofon, wpisz swoje imię i naciśnij Dołącz.',
    joinTextManual: 'Wpisz serwer, nazwę zajęć i swoje imię, a potem naciśnij Dołącz.',
    expired: 'Ten link z zaproszeniem wygasł. Nadal możesz poprosić o wejście, ale nauczyciel musi Cię wpuścić.',
    nameLabel: 'Twoje imię',
    namePlaceholder: 'Na przykład: Ola (mama Kasi)',
    nameMissing: 'Najpierw wpisz swoje imię, żeby nauczyciel wiedział, kim jesteś.',
    camera: 'Kamera',
    microphone: 'Mikrofon',
    advanced: 'Serwer i zajęcia',
    server: 'Serwer',
    room: 'Zajęcia',
    join: 'Dołącz',
    joining: 'Łączenie…',
    openApp: 'Otwórz w aplikacji Kibitz',
    previewStarting: 'Uruchamianie kamery…',
    previewOff: 'Kamera wyłączona',
    noCamera: 'Nie znaleziono kamery. Nadal możesz dołączyć: wszyscy Cię usłyszą, a Ty zobaczysz i usłyszysz zajęcia.',
    noMicrophone: 'Nie znaleziono mikrofonu. Nadal możesz dołączyć, widzieć i słyszeć zajęcia.',
    noDevices: 'Nie znaleziono kamery ani mikrofonu. Nadal możesz dołączyć, widzieć i słyszeć zajęcia.',
    denied: 'Przeglądarka nie dostała zgody na kamerę i mikrofon. Nadal możesz dołączyć, widzieć i słyszeć zajęcia; żeby inni Cię widzieli i słyszeli, zezwól na nie przy pasku adresu i wczytaj stronę ponownie.',
    mediaFailed: 'Nie udało się uruchomić kamery i mikrofonu ({error}). Nadal możesz dołączyć, widzieć i słyszeć zajęcia.',
    waitingTitle: 'Czekasz, aż nauczyciel Cię wpuści',
    waitingText: 'Nauczyciel widzi, że tu jesteś. Nie zamykaj tej strony.',
    waitingExpired: 'Twój link z zaproszeniem wygasł, więc nauczyciel musi Cię wpuścić.',
    waitingInvalid: 'Twój link z zaproszeniem nie jest już ważny na te zajęcia, więc nauczyciel musi Cię wpuścić.',
    waitingNoInvite: 'Nauczyciel sam wpuszcza każdego uczestnika.',
    cancel: 'Anuluj',
    leave: 'Wyjdź',
    micOn: 'Wycisz',
    micOff: 'Włącz mikrofon',
    camOn: 'Wyłącz kamerę',
    camOff: 'Włącz kamerę',
    noMic: 'Brak mikrofonu',
    noCam: 'Brak kamery',
    shareScreen: 'Udostępnij ekran',
    stopSharing: 'Zatrzymaj udostępnianie',
    sharing: '{name} udostępnia ekran',
    shareFailed: 'Udostępnianie ekranu się nie rozpoczęło. Możesz spróbować ponownie i wybrać ekran lub okno.',
    shareNotAllowed: 'Nauczyciel decyduje, kto udostępnia ekran.',
    mutedByTeacher: 'Nauczyciel wyłączył Twój mikrofon.',
    mutedMayUnmute: 'Nauczyciel wyłączył Twój mikrofon. Możesz go włączyć, gdy chcesz coś powiedzieć.',
    unmuteNotAllowed: 'Nauczyciel na razie wyłączył mikrofony uczniów, więc nie możesz włączyć swojego.',
    you: '{name} (Ty)',
    joinedStatus: 'Jesteś na zajęciach „{room}”.',
    reconnecting: 'Połączenie zostało przerwane. Łączenie ponownie…',
    leftTitle: 'Opuszczono zajęcia',
    leftText: 'Możesz zamknąć tę stronę albo dołączyć ponownie.',
    joinAgain: 'Dołącz ponownie',
    endedTitle: 'Zajęcia się skończyły',
    endedText: 'Nauczyciel zakończył zajęcia. Możesz zamknąć tę stronę.',
    removedTitle: 'Nauczyciel usunął Cię z zajęć',
    removedText: 'Jeśli to pomyłka, skontaktuj się z nauczycielem.',
    deniedTitle: 'Nauczyciel nie wpuścił Cię na zajęcia',
    deniedText: 'Jeśli to pomyłka, skontaktuj się z nauczycielem.',
    lockedTitle: 'Zajęcia są zamknięte',
    lockedText: 'Nauczyciel na razie nikogo więcej nie wpuszcza. Spróbuj później albo skontaktuj się z nauczycielem.',
    fullTitle: 'Brak wolnych miejsc',
    fullText: 'Na zajęciach nie ma teraz miejsca dla kolejnej osoby. Spróbuj później.',
    badRoomTitle: 'Ta nazwa zajęć nie działa',
    badRoomText: 'Nazwa zajęć jest pusta albo za długa. Sprawdź link.',
    badNameTitle: 'Wybierz inne imię',
    badNameText: 'Imię może mieć od 1 do 64 znaków, bez przejść do nowej linii.',
    badLinkTitle: 'Ten link jest niepełny',
    badLinkText: 'Brakuje części linku z zaproszeniem, może została ucięta w wiadomości. Otwórz cały link albo poproś nauczyciela o ponowne wysłanie.',
    failedTitle: 'Nie udało się połączyć',
    failedText: 'Serwer zajęć nie odpowiada ({error}). Sprawdź połączenie z internetem i spróbuj ponownie.',
    tryAgain: 'Spróbuj ponownie',
    details: 'Szczegóły techniczne',
    boardLabel: 'Wspólna szachownica',
    boardMoves: 'Ruchy',
    boardStart: 'Początek',
    boardStartPosition: 'Pozycja początkowa:',
    boardAfter: 'Po {move}:',
    boardWhiteToMove: 'ruch białych',
    boardBlackToMove: 'ruch czarnych',
    boardInCheck: ', szach',
    boardOver: 'Koniec partii: {who} ({result}).',
    boardCheckmate: 'Mat: {who} ({result}).',
    boardStalemate: 'Pat: {who} ({result}).',
    boardInsufficient: 'Żadna strona nie może dać mata: {who} ({result}).',
    boardFifty: 'Pięćdziesiąt ruchów bez bicia i ruchu pionem: {who} ({result}).',
    boardThreefold: 'Ta sama pozycja trzeci raz: {who} ({result}).',
    boardWhiteWins: 'wygrywają białe',
    boardBlackWins: 'wygrywają czarne',
    boardDraw: 'remis',
    boardSave: 'Zapisz partię (PGN)',
    boardOpen: 'Otwórz partię (PGN)…',
    boardFen: 'Pozycja (FEN)',
    boardCopy: 'Kopiuj',
    boardCopied: 'Pozycja jest w schowku.',
    boardSetUp: 'Ustaw',
    boardTooBig: 'Ten plik ma ponad 64 KiB, więcej niż może mieć partia na lekcji: nie został wysłany.',
    boardShowing: 'Pokazany ruch {ply} z {total}.',
    boardMayMove: 'Możesz wykonać ruch.',
    boardTeacherChooses: 'Nauczyciel decyduje, kto wykonuje ruchy.',
    boardFlip: 'Obróć szachownicę',
    boardPromote: 'Promuj na',
    boardQueen: 'Hetman',
    boardRook: 'Wieża',
    boardBishop: 'Goniec',
    boardKnight: 'Skoczek',
    boardCancel: 'Anuluj',
  },
};

function pickLanguage () {
  const wanted = [params.get('lang'), ...(navigator.languages || []), navigator.language];
  for (const tag of wanted) {
    const lang = (tag || '').toLowerCase().split('-')[0];
    if (lang in STRINGS)
      return lang;
  }
  return 'en';
}

const LANG = pickLanguage();

function t (key, values = {}) {
  const text = STRINGS[LANG][key] || STRINGS.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
}

/* --- Where we are ---------------------------------------------------------- */

/* "<base64url room key>.<issued ms>.<expiry s>.<mac>" (docs/protocol.md):
 * the room and the expiry are readable here, the rest only by the server. */
function parseInvite (code) {
  const parts = (code || '').split('.');
  if (parts.length !== 4 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^\d+$/.test(parts[1]) ||
      !/^\d+$/.test(parts[2]) || !/^[0-9a-fA-F]{16,}$/.test(parts[3]))
    return null;
  try {
    const b64 = parts[0].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
    const room = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return room ? { code, room, expiry: Number(parts[2]) } : null;
  } catch (e) {
    return null;
  }
}

/* Behind an invite link the path is <base>/j/<code>; kibitz-web.html itself
 * (served from web/ by any server) is the old way in. Whatever else is under
 * /j/ is a mangled link: parseInvite() refuses it. */
const pathMatch = location.pathname.match(/^(.*?)\/j(?:\/(.*))?$/);
const inviteMode = pathMatch !== null && pathMatch[2] !== 'kibitz-web.html';
const inviteCode = inviteMode ? safeDecode(pathMatch[2] || '') : params.get('invite');
const invite = inviteCode ? parseInvite(inviteCode) : null;

function safeDecode (text) {
  try {
    return decodeURIComponent(text);
  } catch (e) {
    return '';
  }
}

const serverBase = params.get('server') || (inviteMode ? location.origin + pathMatch[1] : null);

const state = {
  ws: null,
  id: null,
  board: null,              /* the shared board's last state (protocol.md §5) */
  room: null,
  roomTitle: null,          /* the room's name as the server shows it */
  name: null,
  role: null,               /* teacher, student, member; null until welcome */
  resume: null,
  iceServers: [],
  relayOnly: false,         /* welcome.ice_transport_policy === 'relay' */
  roomState: null,          /* the latest room_state */
  local: null,              /* MediaStream or null */
  micOn: false,
  camOn: false,
  mutedBy: null,            /* the teacher who muted us, until we unmute */
  banner: null,             /* the STRINGS key the banner shows, or null */
  peers: new Map(),         /* id -> Peer */
  names: new Map(),         /* id -> name */
  peerStates: new Map(),    /* id -> the latest announced {audio, video, hand, screen} */
  screenTrack: null,        /* the screen or window we share, or null */
  view: 'prejoin',          /* prejoin, waiting, call, or an end: left, ended, ... */
  waitingReason: null,
  finished: null,           /* why the page stopped for good (no reconnect) */
  leaving: false,
  reconnectTimer: 0,
  reconnectDelay: 250,
  signalingUrl: null,
  errors: [],
  log: [],
  candidatesSent: [],       /* every candidate line this page sent */
  candidatesDropped: [],    /* gathered but not on an allowed address */
  candidatesReceived: [],
  restarts: [],             /* names of peers whose link was rebuilt */
};

const STUCK_MS = 30000;
const allowedAddresses = params.getAll('ice-address');
const missingKind = params.get('missing') === 'omit' ? 'omit' : 'recvonly';

function log (line) {
  const text = `${new Date().toISOString().slice(11, 23)} ${line}`;
  state.log.push(text);
  if (state.log.length > 200)
    state.log.shift();
  $('log').textContent = state.log.join('\n');
  console.log(line);
}

function fail (line) {
  state.errors.push(line);
  log(`error: ${line}`);
}

function setStatus (text) {
  $('status').textContent = text;
}

/* --- Icons ------------------------------------------------------------------ */

/* Drawn here rather than as emoji: phones and kiosks without an emoji font
 * would show empty boxes on the very buttons a parent needs. 24×24 strokes. */
const ICONS = {
  mic: ['M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3'],
  'mic-off': ['M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3', 'M4 4l16 16'],
  camera: ['M4 7h9a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2z', 'M15 11l6-4v10l-6-4'],
  'camera-off': ['M4 7h9a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2z', 'M15 11l6-4v10l-6-4', 'M3 3l18 18'],
  leave: ['M6 6l12 12', 'M18 6L6 18'],
  screen: ['M3 5h18v11H3z', 'M8 20h8', 'M12 16v4'],
  'screen-off': ['M3 5h18v11H3z', 'M8 20h8', 'M12 16v4', 'M3 3l18 18'],
  done: ['M5 12l5 5L19 7'],
  lock: ['M6 11h12v9H6z', 'M8 11V8a4 4 0 0 1 8 0v3'],
  alert: ['M12 6v8', 'M12 18v.5'],
};

function icon (name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  for (const d of ICONS[name]) {
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

function setIcon (button, name) {
  button.querySelector('.icon').replaceWith(icon(name));
}

/* --- Views ------------------------------------------------------------------ */

function showView (view) {
  state.view = view;
  $('prejoin').hidden = view !== 'prejoin';
  $('call').hidden = view !== 'call';
  $('notice').hidden = view === 'prejoin' || view === 'call';
  /* The cards say it in big letters; the line is for the call. */
  $('status').hidden = view !== 'call';
}

/* A card for one of §4's states: a sign, a title, a sentence, and at most
 * a main action and Cancel. */
function showNotice (view, { sign, title, text, action, onAction, cancel }) {
  showView(view);
  const signBox = $('notice-sign');
  signBox.textContent = '';
  if (sign === 'spinner') {
    const spinner = document.createElement('div');
    spinner.className = 'spinner';
    signBox.append(spinner);
  } else {
    signBox.append(icon(sign));
  }
  $('notice-title').textContent = title;
  $('notice-text').textContent = text;
  $('notice-action').hidden = !action;
  $('notice-action').textContent = action || '';
  $('notice-action').onclick = onAction || null;
  $('cancel').hidden = !cancel;
  document.title = `${title} · Kibitz`;
}

/* The end of the call for a reason that a reconnect cannot change; `again`
 * names the button that starts over ('joinAgain' after leaving, 'tryAgain'
 * for one who never got in), or null. */
function finish (view, title, text, again) {
  state.finished = view;
  stopCall();
  showNotice(view, {
    sign: view === 'ended' || view === 'left' ? 'done' : view === 'room-locked' || view === 'denied' ? 'lock' : 'alert',
    title, text,
    action: again ? t(again) : null,
    onAction: again ? () => location.reload() : null,
  });
  setStatus(title);
}

/* --- Signaling ---------------------------------------------------------- */

function send (message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN)
    state.ws.send(JSON.stringify(message));
}

function sendSignal (to, data) {
  send({ type: 'signal', to, data });
}

async function loadConfig (server) {
  const base = server.replace(/\/+$/, '');
  const response = await fetch(`${base}/v1/config`, { cache: 'no-store' });
  if (!response.ok)
    throw new Error(`${base}/v1/config answered ${response.status}`);
  const config = await response.json();
  if (config.version !== 1 || typeof config.signaling !== 'string')
    throw new Error(`${base}/v1/config is not a Kibitz version 1 configuration`);
  return config;
}

/* The room's key as the server compares names (NFKC, case folded), escaped
 * as the C clients' g_uri_escape_string does: a balancer hashing ?room=
 * (docs/deploy.md §11) must see the same bytes from every member, or a
 * class splits over two servers. toUpperCase().toLowerCase() comes close to
 * GLib's case folding (ß, final sigma). */
function roomKey (room) {
  return room.trim().normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

function escapeQuery (text) {
  return encodeURIComponent(text).replace(/[!'()*]/g,
    c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function connect () {
  const url = `${state.signalingUrl}?room=${escapeQuery(roomKey(state.room))}`;
  const ws = new WebSocket(url);

  state.ws = ws;
  ws.onopen = () => {
    const join = { type: 'join', room: state.room, name: state.name };
    if (state.resume)
      join.resume = state.resume;
    if (invite)
      join.invite = invite.code;
    ws.send(JSON.stringify(join));
  };
  ws.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      fail(`the server sent something that is not JSON: ${e.message}`);
      return;
    }
    handleMessage(message);
  };
  ws.onclose = (event) => {
    if (state.ws !== ws)
      return;
    state.ws = null;
    if (state.leaving || state.finished)
      return;
    /* Reconnect with the resume token, backoff capped at 3 s plus jitter; a
     * waiting client has no token and knocks again (§4). */
    log(`signaling closed (${event.code}); reconnecting`);
    setStatus(t('reconnecting'));
    const delay = Math.min(state.reconnectDelay, 3000) + Math.random() * 250;
    state.reconnectDelay = Math.min(state.reconnectDelay * 2, 3000);
    state.reconnectTimer = setTimeout(connect, delay);
  };
}

function handleMessage (message) {
  switch (message.type) {
    case 'welcome': return onWelcome(message);
    case 'waiting': return onWaiting(message);
    case 'joined':
      state.names.set(message.peer.id, message.peer.name);
      setPeerState(message.peer.id, message.peer.state);
      log(`${message.peer.name} joined`);
      return;
    case 'left': return removePeer(message.id, message.reason);
    case 'signal': return onSignal(message.from, message.data);
    case 'state':
      /* Our own, forced by a teacher: the leave to share was taken back. */
      if (message.from === state.id) {
        if (message.screen === false)
          stopSharing();
        return;
      }
      return setPeerState(message.from, message);
    case 'room_state': return onRoomState(message);
    case 'muted': return onMuted(message);
    case 'removed':
      log(`removed by ${message.by}`);
      return finish('removed', t('removedTitle'), t('removedText'), null);
    case 'ended':
      log(`class ended by ${message.by}`);
      return finish('ended', t('endedTitle'), t('endedText'), null);
    case 'error': return onError(message);
    case 'board': return showBoard({ board: message });
    default:
      return; /* chat and future types: nothing to do here */
  }
}

/* The shared board lives in kibitz-board.js (a module: chessground and
 * chess.js); these events are all it shares with this script. */
function showBoard (detail) {
  if (detail.board)
    state.board = detail.board;
  window.dispatchEvent(new CustomEvent('kibitz:board', { detail: { id: state.id, role: state.role, ...detail } }));
}

window.addEventListener('kibitz:board-request', (event) => send(event.detail));
window.addEventListener('kibitz:board-ready', () => {
  if (state.board)
    showBoard({ board: state.board });
});

const BOARD_REQUESTS = ['move', 'board-set', 'board-view', 'board-shapes', 'board-movers'];

function onError (message) {
  const endings = {
    'denied': ['denied', 'deniedTitle', 'deniedText', null],
    'room-locked': ['room-locked', 'lockedTitle', 'lockedText', 'tryAgain'],
    'room-full': ['room-full', 'fullTitle', 'fullText', 'tryAgain'],
    'bad-room': ['bad-room', 'badRoomTitle', 'badRoomText', null],
    'bad-name': ['bad-name', 'badNameTitle', 'badNameText', 'tryAgain'],
  };
  const ending = endings[message.code];

  if (ending) {
    log(`server: ${message.code}: ${message.message}`);
    return finish(ending[0], t(ending[1]), t(ending[2]), ending[3]);
  }
  if (message.code === 'forbidden' && message.ref === 'state') {
    /* We tried to unmute while students may not: stay muted, and say so
     * (the refused state's other members go out again with it). */
    log(`server: ${message.code}: ${message.message}`);
    setMicrophone(false, true);
    showBanner('unmuteNotAllowed');
    return;
  }
  if (message.code === 'not-admitted' || message.code === 'bad-token')
    return log(`server: ${message.code}: ${message.message}`);
  if (BOARD_REQUESTS.includes(message.ref)) {
    /* A move the server refused: the board goes back to its position. */
    log(`server: ${message.code}: ${message.message}`);
    return showBoard({ error: message });
  }
  fail(`server: ${message.code}: ${message.message}`);
}

function onWaiting (waiting) {
  state.waitingReason = waiting.reason;
  state.reconnectDelay = 250;
  log(`waiting (${waiting.reason}) as ${waiting.id}`);
  const reasons = { 'invite-expired': 'waitingExpired', 'invite-invalid': 'waitingInvalid', 'no-invite': 'waitingNoInvite' };
  showNotice('waiting', {
    sign: 'spinner',
    title: t('waitingTitle'),
    text: `${t('waitingText')} ${reasons[waiting.reason] ? t(reasons[waiting.reason]) : ''}`.trim(),
    cancel: true,
  });
  setStatus(t('waitingTitle'));
}

function onWelcome (welcome) {
  state.id = welcome.id;
  state.resume = welcome.resume;
  state.iceServers = welcome.ice_servers || [];
  state.relayOnly = welcome.ice_transport_policy === 'relay';
  state.role = welcome.role || 'member';
  state.roomTitle = welcome.room;
  state.reconnectDelay = 250;
  state.waitingReason = null;
  showView('call');
  $('leave').disabled = false;
  $('class-name').textContent = welcome.room;
  document.title = `${welcome.room} · Kibitz`;
  setStatus(t('joinedStatus', { room: welcome.room }));
  log(`welcome: id ${welcome.id}, role ${state.role}, ${welcome.peers.length} peer(s)` +
      `${welcome.resumed ? ', resumed' : ''}${state.relayOnly ? ', relay only' : ''}`);
  if (welcome.room_state)
    onRoomState(welcome.room_state);
  if (welcome.board)
    showBoard({ board: welcome.board });
  /* §4: a student let in while students may not unmute starts muted. */
  if (state.role === 'student' && state.roomState && state.roomState.students_may_unmute === false)
    setMicrophone(false, false);
  sendState();
  /* Tests: share=1 shares as soon as we are in (with screen=test, a drawn
   * screen; a real one needs the browser's picker and a click). */
  if (flag('share', false) && !state.screenTrack && !state.shareAsked) {
    state.shareAsked = true;
    startSharing();
  }

  /* The newcomer offers to every peer listed; a resumed client only to
   * those it has no connection with. */
  for (const peer of welcome.peers) {
    state.names.set(peer.id, peer.name);
    setPeerState(peer.id, peer.state);
    if (welcome.resumed && state.peers.has(peer.id))
      continue;
    if (state.peers.has(peer.id))
      closePeer(peer.id);
    startOffer(createPeer(peer.id, true));
  }
}

function onRoomState (roomState) {
  state.roomState = roomState;
  if (state.screenTrack && !mayShare())
    stopSharing();
  updateControls();
  /* Muted by a teacher: whether we may turn it on again just changed. */
  if (['mutedMayUnmute', 'mutedByTeacher'].includes(state.banner) && !state.micOn)
    showMutedBanner();
}

function onMuted (muted) {
  log(`muted by ${muted.by}`);
  state.mutedBy = muted.by;
  setMicrophone(false, true);
  showMutedBanner();
}

function showMutedBanner () {
  showBanner(mayUnmute() ? 'mutedMayUnmute' : 'mutedByTeacher');
}

/* While students may not unmute, the server refuses (`forbidden`) every
 * student `state` with audio: true, also from a microphone that was on
 * before and that nobody has muted yet: then `audio` stays out (the server
 * keeps it on), so the camera switch still gets through. */
function sendState () {
  const message = { type: 'state', video: state.camOn, screen: !!state.screenTrack };
  if (!state.micOn || mayUnmute())
    message.audio = state.micOn;
  send(message);
}

/* --- Our microphone and camera ------------------------------------------ */

function localTrack (kind) {
  return state.local ? state.local.getTracks().find((t) => t.kind === kind) : null;
}

/* §4 as Kibitz extends it: a student shares only with the teacher's leave. */
function mayShare () {
  return state.role !== 'student' ||
    !!(state.roomState && Array.isArray(state.roomState.sharers) && state.roomState.sharers.includes(state.id));
}

function mayUnmute () {
  return state.role !== 'student' || !state.roomState || state.roomState.students_may_unmute !== false;
}

/* A muted track sends silence, so turning it on again needs no renegotiation. */
function setMicrophone (on, announce) {
  const track = localTrack('audio');
  state.micOn = !!(on && track);
  if (track)
    track.enabled = state.micOn;
  if (state.micOn)
    state.mutedBy = null;
  updateControls();
  if (announce)
    sendState();
}

function setCamera (on) {
  const track = localTrack('video');
  state.camOn = !!(on && track);
  if (track)
    track.enabled = state.camOn;
  const self = $('grid').querySelector('.tile.self');
  if (self)
    self.classList.toggle('camera-off', !state.camOn);
  updateControls();
  sendState();
}

function updateControls () {
  const hasMic = !!localTrack('audio');
  const hasCam = !!localTrack('video');
  const locked = hasMic && !state.micOn && !mayUnmute();
  const mic = $('mic');
  const cam = $('cam');

  mic.disabled = !hasMic || locked;
  mic.classList.toggle('off', !state.micOn);
  mic.querySelector('.label').textContent = !hasMic ? t('noMic') : state.micOn ? t('micOn') : t('micOff');
  mic.title = mic.querySelector('.label').textContent;
  mic.setAttribute('aria-label', mic.title);
  setIcon(mic, state.micOn || !hasMic ? 'mic' : 'mic-off');
  mic.setAttribute('aria-pressed', String(!state.micOn));
  cam.disabled = !hasCam;
  cam.classList.toggle('off', !state.camOn);
  cam.querySelector('.label').textContent = !hasCam ? t('noCam') : state.camOn ? t('camOn') : t('camOff');
  cam.title = cam.querySelector('.label').textContent;
  cam.setAttribute('aria-label', cam.title);
  setIcon(cam, state.camOn || !hasCam ? 'camera' : 'camera-off');
  cam.setAttribute('aria-pressed', String(!state.camOn));
  const share = $('share');
  const sharing = !!state.screenTrack;
  /* A student sees it once the teacher allows it (a greyed button would
   * only take room from the board on a small screen). */
  share.hidden = !navigator.mediaDevices ||
    (!navigator.mediaDevices.getDisplayMedia && params.get('screen') !== 'test') ||
    (!sharing && !mayShare());
  share.classList.toggle('on', sharing);
  share.querySelector('.label').textContent = sharing ? t('stopSharing') : t('shareScreen');
  share.title = share.querySelector('.label').textContent;
  share.setAttribute('aria-label', share.title);
  setIcon(share, sharing ? 'screen-off' : 'screen');
  share.setAttribute('aria-pressed', String(sharing));
  /* Say why the control is greyed out, next to it. */
  $('mic-note').hidden = !locked;
  $('mic-note').textContent = locked ? t('unmuteNotAllowed') : '';
}

function hideBanner () {
  state.banner = null;
  $('banner').hidden = true;
}

function showBanner (key) {
  state.banner = key;
  $('banner').textContent = t(key);
  $('banner').hidden = false;
}

/* --- What the others announce -------------------------------------------- */

/* §4: a receiver does not play the audio of a peer whose announced audio is
 * false, whatever that peer's client actually sends. */
function setPeerState (id, announced) {
  if (!announced || typeof announced !== 'object')
    return;
  const current = state.peerStates.get(id) || {};
  for (const key of ['audio', 'video', 'hand', 'screen'])
    if (typeof announced[key] === 'boolean')
      current[key] = announced[key];
  state.peerStates.set(id, current);
  const peer = state.peers.get(id);
  if (peer)
    applyPeerState(peer);
  showScreen();
}

function applyPeerState (peer) {
  if (!peer.tile)
    return;
  const announced = state.peerStates.get(peer.id) || {};
  const silenced = announced.audio === false;
  const video = peer.tile.querySelector('video');
  video.muted = silenced || peer.autoplayMuted;
  peer.tile.querySelector('.muted-sign').hidden = !silenced;
  peer.tile.classList.toggle('camera-off', announced.video === false || !peer.hasVideo);
}
/* --- Peers --------------------------------------------------------------- */

function candidateAddress (line) {
  /* candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ... */
  const fields = line.replace(/^a=/, '').split(' ');
  return fields.length > 4 ? fields[4] : '';
}

function createPeer (id, offerer) {
  /* With --student-relay-only the server tells students to use relay
   * candidates only, so that pupils never learn each other's address (§4). */
  const pc = new RTCPeerConnection({
    iceServers: state.iceServers,
    iceTransportPolicy: state.relayOnly ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
  });
  const peer = {
    id, pc, offerer,
    sdpSent: false,
    pendingLocal: [],       /* our candidates waiting for our sdp to be sent */
    pendingRemote: [],      /* theirs waiting for their sdp */
    remoteSet: false,
    tile: null,
    hasVideo: false,
    autoplayMuted: false,   /* the browser refused to autoplay with sound */
    stats: {},
  };

  state.peers.set(id, peer);
  /* A link that has not come up in time is rebuilt by its offerer (the
   * protocol's way: WebRTC stacks such as GStreamer 1.22 cannot restart ICE). */
  peer.watchdog = setTimeout(() => onStuck(peer), STUCK_MS);
  pc.onicecandidate = (event) => onLocalCandidate(peer, event.candidate);
  pc.ontrack = (event) => showTrack(peer, event);
  pc.oniceconnectionstatechange = () => log(`${peerName(id)}: ICE ${pc.iceConnectionState}`);
  pc.onconnectionstatechange = () => {
    log(`${peerName(id)}: ${pc.connectionState}`);
    if (pc.connectionState === 'connected')
      clearTimeout(peer.watchdog);
    updateCaption(peer);
  };
  return peer;
}

function onStuck (peer) {
  if (state.peers.get(peer.id) !== peer || peer.pc.connectionState === 'connected')
    return;
  state.restarts.push(peerName(peer.id));
  if (peer.offerer) {
    log(`${peerName(peer.id)}: no connection after ${STUCK_MS / 1000} s; offering afresh`);
    closePeer(peer.id);
    startOffer(createPeer(peer.id, true));
  } else {
    log(`${peerName(peer.id)}: no connection after ${STUCK_MS / 1000} s; asking for a fresh offer`);
    sendSignal(peer.id, { restart: true });
    peer.watchdog = setTimeout(() => onStuck(peer), STUCK_MS);
  }
}

function peerName (id) {
  return state.names.get(id) || id;
}

function onLocalCandidate (peer, candidate) {
  let data;

  if (candidate) {
    const address = candidateAddress(candidate.candidate);
    if (allowedAddresses.length && !allowedAddresses.includes(address)) {
      state.candidatesDropped.push(candidate.candidate);
      return;
    }
    data = { ice: { candidate: candidate.candidate, sdpMLineIndex: candidate.sdpMLineIndex } };
  } else {
    data = { ice: null };
  }
  /* A connection's sdp goes out before any of its candidates. */
  if (!peer.sdpSent) {
    peer.pendingLocal.push(data);
    return;
  }
  sendCandidate(peer, data);
}

function sendCandidate (peer, data) {
  if (data.ice)
    state.candidatesSent.push(data.ice.candidate);
  sendSignal(peer.id, data);
}

function sendDescription (peer) {
  const description = peer.pc.localDescription;
  sendSignal(peer.id, { sdp: { type: description.type, sdp: description.sdp } });
  peer.sdpSent = true;
  for (const data of peer.pendingLocal.splice(0))
    sendCandidate(peer, data);
}

function addLocalMedia (peer) {
  const local = state.local;
  for (const kind of ['audio', 'video']) {
    const track = local ? local.getTracks().find((t) => t.kind === kind) : null;
    if (track) {
      peer.pc.addTrack(track, local);
    } else if (peer.offerer && missingKind === 'recvonly') {
      /* No such device: still receive that kind from the class. */
      peer.pc.addTransceiver(kind, { direction: 'recvonly' });
    }
  }
  /* The shared screen: the second video m-line, on every link from the
   * first offer, so that a share starts with replaceTrack() and never
   * renegotiates (docs/protocol.md). An offer from Kibitz has it already. */
  if (peer.offerer && videoTransceivers(peer.pc).length === 1)
    peer.pc.addTransceiver('video', { direction: 'sendrecv' });
  peer.screen = screenTransceiver(peer.pc);
  if (peer.screen) {
    peer.screen.direction = 'sendrecv';
    if (state.screenTrack)
      peer.screen.sender.replaceTrack(state.screenTrack).catch((e) => log(`screen to ${peerName(peer.id)}: ${e.message}`));
  }
}

function videoTransceivers (pc) {
  return pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video');
}

/* The second video transceiver, in m-line order: the shared screen. */
function screenTransceiver (pc) {
  return videoTransceivers(pc)[1] || null;
}

async function startOffer (peer) {
  try {
    addLocalMedia(peer);
    await peer.pc.setLocalDescription(await peer.pc.createOffer());
    sendDescription(peer);
  } catch (e) {
    fail(`offer to ${peerName(peer.id)} failed: ${e.message}`);
  }
}

async function onSignal (from, data) {
  if (!data || typeof data !== 'object')
    return;
  let peer = state.peers.get(from);

  try {
    if (data.sdp && data.sdp.type === 'offer') {
      if (peer && peer.offerer) {
        /* We offer to this peer; it must ask with restart instead. */
        fail(`${peerName(from)} sent an offer although we offer to it; ignored`);
        return;
      }
      if (peer && peer.remoteSet) {
        /* A fresh connection from the same peer (it rebuilt its side). */
        closePeer(from);
        peer = null;
      }
      if (!peer)
        peer = createPeer(from, false);
      await peer.pc.setRemoteDescription(data.sdp);
      remoteDescriptionSet(peer);
      addLocalMedia(peer);
      await peer.pc.setLocalDescription(await peer.pc.createAnswer());
      sendDescription(peer);
    } else if (data.sdp && data.sdp.type === 'answer') {
      if (!peer || !peer.offerer)
        return;
      await peer.pc.setRemoteDescription(data.sdp);
      remoteDescriptionSet(peer);
    } else if ('ice' in data) {
      if (data.ice && typeof data.ice.candidate === 'string')
        state.candidatesReceived.push(data.ice.candidate);
      if (!peer) {
        /* Candidates before the offer: keep them for the peer to come. */
        peer = createPeer(from, false);
      }
      if (peer.remoteSet)
        await addRemoteCandidate(peer, data.ice);
      else
        peer.pendingRemote.push(data.ice);
    } else if (data.restart === true) {
      if (peer && peer.offerer) {
        log(`${peerName(from)} asks for a fresh connection`);
        closePeer(from);
        startOffer(createPeer(from, true));
      }
    }
  } catch (e) {
    /* One peer's broken SDP or candidate fails that peer only. */
    fail(`${peerName(from)}: ${e.message}`);
  }
}

function remoteDescriptionSet (peer) {
  peer.remoteSet = true;
  for (const ice of peer.pendingRemote.splice(0))
    addRemoteCandidate(peer, ice);
}

async function addRemoteCandidate (peer, ice) {
  if (!ice)
    return; /* end of candidates: nothing to add */
  try {
    await peer.pc.addIceCandidate({ candidate: ice.candidate, sdpMLineIndex: ice.sdpMLineIndex || 0 });
  } catch (e) {
    fail(`${peerName(peer.id)}: candidate refused: ${e.message}`);
  }
}

function closePeer (id) {
  const peer = state.peers.get(id);
  if (!peer)
    return;
  clearTimeout(peer.watchdog);
  peer.pc.close();
  if (peer.tile)
    peer.tile.remove();
  state.peers.delete(id);
  showScreen();
}

/* --- The shared screen ----------------------------------------------------- */

/* Large for everyone, with the sharer's name: the first participant who
 * says it shares and whose screen arrives; our own share is not shown back
 * to us (the tiles stay as they are). */
function showScreen () {
  const panel = $('screen-panel');
  const video = $('screen-video');
  let shown = null;

  for (const peer of state.peers.values()) {
    const announced = state.peerStates.get(peer.id) || {};
    if (announced.screen && peer.screenStream) {
      shown = peer;
      break;
    }
  }
  panel.hidden = !shown;
  if (!shown) {
    video.srcObject = null;
    state.screenShown = null;
    return;
  }
  $('screen-caption').textContent = t('sharing', { name: peerName(shown.id) });
  if (video.srcObject !== shown.screenStream)
    video.srcObject = shown.screenStream;
  state.screenShown = shown.id;
  video.play().catch(() => {});
}

/* A test page has no screen to pick from: ?screen=test shares a drawn one
 * (a canvas with the name and a clock, 1280x720 at 10 fps). */
function testScreenStream () {
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  const ctx = canvas.getContext('2d');
  const draw = () => {
    ctx.fillStyle = '#f6f5f4';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#241f31';
    ctx.font = 'bold 64px sans-serif';
    ctx.fillText(`Screen of ${state.name}`, 80, 320);
    ctx.font = '48px monospace';
    ctx.fillText(new Date().toISOString().slice(11, 19), 80, 420);
  };
  draw();
  /* track.stop() fires no 'ended' on our side: stopSharing() clears it. */
  state.screenTimer = setInterval(draw, 100);
  return canvas.captureStream(10);
}

async function startSharing () {
  let stream;
  if (!mayShare()) {
    showBanner('shareNotAllowed');
    return;
  }
  try {
    stream = params.get('screen') === 'test'
      ? testScreenStream()
      : await navigator.mediaDevices.getDisplayMedia({
        video: { width: { max: 1920 }, height: { max: 1080 }, frameRate: { max: 15 } },
        audio: false,
      });
  } catch (e) {
    /* Cancelled in the browser's picker, or not allowed: say so, go on. */
    log(`screen sharing did not start: ${e.message}`);
    showBanner('shareFailed');
    return;
  }
  const track = stream.getVideoTracks()[0];
  if (!track)
    return;
  /* Text and lines, not motion: keep the resolution, drop frames. */
  track.contentHint = 'detail';
  /* The browser's own "Stop sharing" ends the track. */
  track.addEventListener('ended', () => stopSharing());
  state.screenTrack = track;
  for (const peer of state.peers.values())
    if (peer.screen)
      peer.screen.sender.replaceTrack(track).catch((e) => log(`screen to ${peerName(peer.id)}: ${e.message}`));
  log('sharing the screen');
  updateControls();
  sendState();
}

function stopSharing () {
  const track = state.screenTrack;
  if (!track)
    return;
  state.screenTrack = null;
  track.stop();
  clearInterval(state.screenTimer);
  state.screenTimer = 0;
  for (const peer of state.peers.values())
    if (peer.screen)
      peer.screen.sender.replaceTrack(null).catch(() => {});
  log('stopped sharing the screen');
  updateControls();
  sendState();
}

function removePeer (id, reason) {
  log(`${peerName(id)} left (${reason})`);
  closePeer(id);
}

/* --- Display ------------------------------------------------------------- */

function makeTile (title, self) {
  const tile = document.createElement('div');
  const video = document.createElement('video');
  const avatar = document.createElement('div');
  const caption = document.createElement('div');

  tile.className = self ? 'tile self' : 'tile';
  video.autoplay = true;
  video.playsInline = true;
  avatar.className = 'avatar';
  avatar.textContent = (title.trim()[0] || '?').toUpperCase();
  caption.className = 'caption';
  caption.innerHTML = '<span class="name"></span><span class="muted-sign" hidden></span><span class="info"></span>';
  caption.querySelector('.muted-sign').append(icon('mic-off'));
  caption.querySelector('.name').textContent = title;
  caption.querySelector('.muted-sign').title = t('mutedByTeacher');
  tile.append(video, avatar, caption);
  if (self)
    $('grid').append(tile);
  else
    $('grid').prepend(tile);   /* the class first, ourselves last */
  return tile;
}

function showTrack (peer, event) {
  if (event.transceiver && event.transceiver === screenTransceiver(peer.pc)) {
    peer.screenStream = new MediaStream([event.track]);
    showScreen();
    return;
  }
  if (!peer.tile)
    peer.tile = makeTile(peerName(peer.id), false);
  const video = peer.tile.querySelector('video');
  const stream = event.streams[0] || new MediaStream([event.track]);
  if (event.track.kind === 'video')
    peer.hasVideo = true;
  if (video.srcObject !== stream) {
    if (video.srcObject && !event.streams[0])
      video.srcObject.addTrack(event.track);
    else
      video.srcObject = stream;
  }
  applyPeerState(peer);
  video.play().catch(() => {
    /* Autoplay with sound refused: play muted rather than not at all. */
    peer.autoplayMuted = true;
    video.muted = true;
    video.play().catch(() => {});
  });
}

/* A browser that refused sound before any click plays it after the first one. */
function unmuteAfterGesture () {
  for (const peer of state.peers.values()) {
    if (peer.autoplayMuted) {
      peer.autoplayMuted = false;
      applyPeerState(peer);
    }
  }
}

function updateCaption (peer) {
  if (!peer.tile)
    return;
  const s = peer.stats;
  peer.tile.querySelector('.info').textContent =
    `${peer.pc.connectionState} · ${s.framesDecoded || 0} frames · ${s.localCandidate || '?'}/${s.remoteCandidate || '?'}`;
}

/* --- Stats and report ---------------------------------------------------- */

async function pollPeer (peer) {
  const report = await peer.pc.getStats();
  const s = { framesDecoded: 0, audioPackets: 0, videoPackets: 0, bytesSent: 0, framesSent: 0 };
  let pairId = null;

  const screenMid = peer.screen && peer.screen.mid;
  s.screenFramesDecoded = 0;
  report.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video' && screenMid && r.mid === screenMid) {
      s.screenFramesDecoded += r.framesDecoded || 0;
    } else if (r.type === 'inbound-rtp' && r.kind === 'video') {
      s.framesDecoded += r.framesDecoded || 0;
      s.videoPackets += r.packetsReceived || 0;
      s.videoCodec = report.get(r.codecId)?.mimeType;
      s.frameWidth = r.frameWidth;
    } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      s.audioPackets += r.packetsReceived || 0;
      s.audioCodec = report.get(r.codecId)?.mimeType;
    } else if (r.type === 'outbound-rtp') {
      s.bytesSent += r.bytesSent || 0;
      s.framesSent += r.framesSent || 0;
    } else if (r.type === 'transport' && r.selectedCandidatePairId) {
      pairId = r.selectedCandidatePairId;
    }
  });
  const pair = pairId && report.get(pairId);
  if (pair) {
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    s.localCandidate = local && local.candidateType;
    s.remoteCandidate = remote && remote.candidateType;
    s.localAddress = local && local.address;
    s.remoteAddress = remote && remote.address;
  }
  peer.stats = s;
  updateCaption(peer);
}

function status () {
  const peers = {};
  for (const [id, peer] of state.peers) {
    const video = peer.tile && peer.tile.querySelector('video');
    peers[id] = Object.assign({
      name: peerName(id),
      offerer: peer.offerer,
      connectionState: peer.pc.connectionState,
      announced: state.peerStates.get(id) || {},
      playing: video ? !video.muted : false,
    }, peer.stats);
  }
  return {
    id: state.id,
    room: state.room,
    name: state.name,
    role: state.role,
    view: state.view,
    waitingReason: state.waitingReason,
    relayOnly: state.relayOnly,
    invite: !!invite,
    lang: LANG,
    camera: !!(state.local && state.local.getVideoTracks().length),
    microphone: !!(state.local && state.local.getAudioTracks().length),
    micOn: state.micOn,
    camOn: state.camOn,
    sharing: !!state.screenTrack,
    screenShown: state.screenShown ? peerName(state.screenShown) : null,
    mutedBy: state.mutedBy,
    roomState: state.roomState,
    peers,
    candidatesSent: state.candidatesSent,
    candidatesDropped: state.candidatesDropped,
    candidatesReceived: state.candidatesReceived,
    errors: state.errors,
    restarts: state.restarts,
    log: state.log,
  };
}

async function tick () {
  await Promise.all([...state.peers.values()].map((p) => pollPeer(p).catch(() => {})));
  const url = params.get('report');
  if (url) {
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                 body: JSON.stringify(status()) }).catch(() => {});
  }
}

/* --- Camera preview ---------------------------------------------------------- */

let previewRequest = 0;

function stopLocal () {
  if (state.local)
    for (const track of state.local.getTracks())
      track.stop();
  state.local = null;
}

/* Never throws: without a camera or permission one still joins (the
 * project's rule), so a failure is a sentence, not an error. */
async function acquireMedia (wantVideo, wantAudio) {
  let note = null;
  let stream = null;

  if (!wantVideo && !wantAudio)
    return { stream, note };
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: wantVideo ? { width: 640, height: 480 } : false,
      audio: wantAudio,
    });
  } catch (e) {
    log(`getUserMedia: ${e.name}: ${e.message}`);
    if (e.name === 'NotAllowedError' || e.name === 'SecurityError') {
      note = t('denied');
    } else if (wantVideo && wantAudio) {
      /* One of the two is missing: try each alone. */
      for (const [video, audio, missing] of [[false, true, 'noCamera'], [true, false, 'noMicrophone']]) {
        try {
          stream = await navigator.mediaDevices.getUserMedia({
            video: video ? { width: 640, height: 480 } : false, audio });
          note = t(missing);
          break;
        } catch (e2) {
          log(`getUserMedia (${video ? 'video' : 'audio'} alone): ${e2.name}`);
        }
      }
      if (!stream)
        note = e.name === 'NotFoundError' ? t('noDevices') : t('mediaFailed', { error: e.name });
    } else {
      note = e.name === 'NotFoundError' ? t(wantVideo ? 'noCamera' : 'noMicrophone')
                                        : t('mediaFailed', { error: e.name });
    }
  }
  if (!navigator.mediaDevices)
    note = t('noDevices');
  return { stream, note };
}

async function updatePreview () {
  const request = ++previewRequest;
  const wantVideo = $('video').checked;
  const wantAudio = $('audio').checked;

  stopLocal();
  $('preview').srcObject = null;
  $('preview-placeholder').hidden = false;
  $('preview-placeholder').textContent = wantVideo ? t('previewStarting') : t('previewOff');
  const { stream, note } = await acquireMedia(wantVideo, wantAudio);
  if (request !== previewRequest || state.view !== 'prejoin') {
    /* A newer choice, or the join, came first. */
    if (stream && stream !== state.local)
      stream.getTracks().forEach((track) => track.stop());
    return;
  }
  state.local = stream;
  $('media-note').hidden = !note;
  $('media-note').textContent = note || '';
  const hasVideo = !!(stream && stream.getVideoTracks().length);
  $('preview').srcObject = hasVideo ? stream : null;
  $('preview-placeholder').hidden = hasVideo;
  $('preview-placeholder').textContent = t('previewOff');
}

/* --- Join and leave ------------------------------------------------------ */

async function join (server, room, name, wantVideo, wantAudio) {
  state.room = room;
  state.name = name;
  state.leaving = false;
  state.finished = null;
  $('join').disabled = true;
  setStatus(t('joining'));
  previewRequest++;          /* a preview still starting is not ours any more */
  try {
    if (!state.local && (wantVideo || wantAudio)) {
      const { stream, note } = await acquireMedia(wantVideo, wantAudio);
      state.local = stream;
      if (note)
        log(note);
    }
    /* Only what was asked for goes to the class. */
    if (state.local) {
      for (const track of state.local.getTracks()) {
        if ((track.kind === 'video' && !wantVideo) || (track.kind === 'audio' && !wantAudio)) {
          track.stop();
          state.local.removeTrack(track);
        }
      }
    }
    state.micOn = !!localTrack('audio');
    state.camOn = !!localTrack('video');
    $('preview').srcObject = null;
    if (state.local || wantVideo || wantAudio) {
      const tile = makeTile(t('you', { name }), true);
      const video = tile.querySelector('video');
      video.muted = true;
      video.srcObject = state.local;
      tile.classList.toggle('camera-off', !state.camOn);
    }
    updateControls();
    const config = await loadConfig(server);
    state.iceServers = config.ice_servers || [];
    state.signalingUrl = config.signaling;
    connect();
    $('leave').disabled = false;
    showNotice('joining', { sign: 'spinner', title: t('joining'), text: '', cancel: true });
    setStatus(t('joining'));
  } catch (e) {
    fail(`could not join: ${e.message}`);
    finish('failed', t('failedTitle'), t('failedText', { error: e.message }), 'tryAgain');
  }
}

/* Tears down the media and the socket (and tells the server, if it listens). */
function stopCall () {
  state.leaving = true;
  clearTimeout(state.reconnectTimer);
  send({ type: 'leave' });
  for (const id of [...state.peers.keys()])
    closePeer(id);
  if (state.ws)
    state.ws.close(1000);
  stopLocal();
  $('grid').textContent = '';
  $('join').disabled = false;
  $('leave').disabled = true;
}

function leave () {
  finish('left', t('leftTitle'), t('leftText'), 'joinAgain');
  setStatus('Left.');
}

function flag (name, fallback) {
  const value = params.get(name);
  return value === null ? fallback : value !== '0' && value !== 'false';
}

function translatePage () {
  document.documentElement.lang = LANG;
  const texts = {
    'name-label': 'nameLabel', 'video-label': 'camera', 'audio-label': 'microphone',
    'advanced-label': 'advanced', 'server-label': 'server', 'room-label': 'room',
    'join': 'join', 'open-app': 'openApp', 'cancel': 'cancel', 'log-label': 'details',
  };
  for (const [id, key] of Object.entries(texts))
    $(id).textContent = t(key);
  $('leave').querySelector('.label').textContent = t('leave');
  $('leave').title = t('leave');
  $('leave').setAttribute('aria-label', t('leave'));
  setIcon($('leave'), 'leave');
  $('name').placeholder = t('namePlaceholder');
}

function start () {
  const wantVideo = $('video').checked;
  const wantAudio = $('audio').checked;
  const name = $('name').value.trim();

  if (!name) {
    $('media-note').hidden = false;
    $('media-note').textContent = t('nameMissing');
    $('name').focus();
    return;
  }
  try {
    localStorage.setItem('kibitz-name', name);
  } catch (e) {
    /* Private mode: the name is not remembered, that is all. */
  }
  join(serverBase || $('server').value, invite ? invite.room : $('room').value, name, wantVideo, wantAudio);
}

function main () {
  translatePage();
  window.kibitzStatus = status;
  setInterval(tick, 1000);
  document.addEventListener('pointerdown', unmuteAfterGesture, { once: true });

  if (inviteMode && !invite) {
    /* kibitz-server answered 404 for this address too: say it kindly. */
    showNotice('bad-link', { sign: 'alert', title: t('badLinkTitle'), text: t('badLinkText') });
    setStatus(t('badLinkTitle'));
    return;
  }

  for (const key of ['server', 'room', 'name'])
    if (params.get(key))
      $(key).value = params.get(key);
  if (!params.get('name')) {
    try {
      $('name').value = localStorage.getItem('kibitz-name') || '';
    } catch (e) {
      $('name').value = '';
    }
  }
  $('video').checked = flag('video', true);
  $('audio').checked = flag('audio', true);

  if (invite) {
    /* Everything but the name comes from the link. */
    $('advanced').hidden = true;
    $('class-name').textContent = invite.room;
    $('prejoin-title').textContent = t('joinTitleRoom', { room: invite.room });
    $('prejoin-text').textContent = t('joinText');
    $('open-app').hidden = false;
    $('open-app').href = `kibitz:join?server=${encodeURIComponent(serverBase)}&invite=${encodeURIComponent(invite.code)}`;
    if (invite.expiry * 1000 < Date.now()) {
      $('expired-note').hidden = false;
      $('expired-note').textContent = t('expired');
    }
  } else {
    $('prejoin-title').textContent = t('joinTitle');
    $('prejoin-text').textContent = t('joinTextManual');
    $('advanced').open = true;
    if (serverBase)
      $('server').value = serverBase;
  }

  $('join-form').onsubmit = (event) => {
    event.preventDefault();
    start();
  };
  $('video').onchange = updatePreview;
  $('audio').onchange = updatePreview;
  $('leave').onclick = leave;
  $('cancel').onclick = leave;
  $('mic').onclick = () => {
    if (!state.micOn && !mayUnmute())
      return;
    setMicrophone(!state.micOn, true);
    if (state.micOn)
      hideBanner();
  };
  $('cam').onclick = () => setCamera(!state.camOn);
  $('share').onclick = () => (state.screenTrack ? stopSharing() : startSharing());

  showView('prejoin');
  if (flag('autojoin', false)) {
    join(serverBase || $('server').value, invite ? invite.room : $('room').value,
         $('name').value || 'Browser', $('video').checked, $('audio').checked);
  } else {
    updatePreview();
  }
}

main();
