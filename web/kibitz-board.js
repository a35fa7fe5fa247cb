/* kibitz-board.js: the class's shared chessboard in the browser page
 * (protocol.md §5), drawn by chessground (npm, GPL-3.0-or-later) with the
 * legal moves from chess.js (npm, BSD-2-Clause); both are vendored in
 * web/vendor/ (see its README) and served by kibitz-server beside the page.
 *
 * The server keeps the board: this module shows the last state it sent and
 * never plays a move before the server's answer, so every participant sees
 * the same position. It talks to kibitz-web.js through two window events:
 *   "kibitz:board"          detail {board, id, role, error}: a new state
 *                           (from welcome.board or a board message), or a
 *                           refusal of ours (error: the server's error);
 *   "kibitz:board-request"  detail: a message for the server (move,
 *                           board-view, board-shapes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

import { Chessground } from './chessground.min.js';
import { Chess } from './chess.js';

const COLORS = ['green', 'red', 'blue', 'yellow'];
/* The page's string tables (English, Polish) live in kibitz-web.js. */
const t = window.t || ((key) => key);
const panel = document.getElementById('board-panel');
const info = document.getElementById('board-info');
const list = document.getElementById('board-moves');
const chooser = document.getElementById('board-promotion');
const flip = document.getElementById('board-flip');
const save = document.getElementById('board-save');
const openLabel = document.getElementById('board-open-label');
const openInput = document.getElementById('board-open');
const fenInput = document.getElementById('board-fen');
const copy = document.getElementById('board-copy');
const setUp = document.getElementById('board-set');
const note = document.getElementById('board-note');
/* protocol.md §5's limit on board-set: a larger file is refused here. */
const PGN_MAX = 64 * 1024;

const view = {
  board: null,      /* the server's last state */
  id: null,
  role: null,
  game: null,       /* chess.js at the shown ply */
  pending: null,    /* {from, to}: a promotion waiting for its piece */
};

const ground = Chessground(document.getElementById('board'), {
  coordinates: true,
  animation: { enabled: true, duration: 150 },
  highlight: { lastMove: true, check: true },
  movable: { free: false, showDests: true, events: { after: onMove } },
  premovable: { enabled: false },
  draggable: { enabled: true, showGhost: true },
  drawable: { enabled: true, visible: true, onChange: onShapes },
});

function request (message) {
  window.dispatchEvent(new CustomEvent('kibitz:board-request', { detail: message }));
}

/* Teachers and movers; everyone in an open room (role "member"). */
function mayMove () {
  const board = view.board;
  return board !== null && (view.role === 'teacher' || view.role === 'member' ||
                            (board.movers || []).includes(view.id));
}

function mayNavigate () {
  return view.role === 'teacher' || view.role === 'member';
}

function turnColor (game) {
  return game.turn() === 'w' ? 'white' : 'black';
}

function destinations (game) {
  const dests = new Map();
  for (const move of game.moves({ verbose: true })) {
    if (!dests.has(move.from))
      dests.set(move.from, []);
    dests.get(move.from).push(move.to);
  }
  return dests;
}

/* The position at the board's ply, replayed from start_fen; null (and the
 * reason logged) when the moves do not replay. */
function replay (board) {
  let game;
  try {
    game = new Chess(board.start_fen);
    for (let i = 0; i < board.ply; i++)
      game.move(board.moves[i]);
  } catch (e) {
    console.warn(`kibitz: the board's moves do not replay: ${e.message}`);
    return null;
  }
  return game;
}

function shapesFromServer (shapes) {
  return (shapes || []).map((s) => s.square
    ? { orig: s.square, brush: s.color }
    : { orig: s.from, dest: s.to, brush: s.color });
}

/* Where the numbering starts: the start position's side and move number
 * (a game set up at move 40 with Black to move starts at "40..."). Read
 * once per state, not once per move of the list. */
function numbering (board) {
  const start = new Chess(board.start_fen);
  return { blackFirst: start.turn() === 'b' ? 1 : 0, first: Math.max(start.moveNumber(), 1) };
}

/* The move number of ply @ply (1 is the first move played) and whether
 * White made it. */
function moveNumber (numbers, ply) {
  const half = ply - 1 + numbers.blackFirst;
  return { number: numbers.first + Math.floor(half / 2), white: half % 2 === 0 };
}

/* How the game ended, read from the final position (@game is at the end):
 * "Checkmate: White wins (1-0)." A result with no reason there (a
 * resignation in a PGN) is said by who won. */
function resultSentence (board, game) {
  const who = t(board.result === '1-0' ? 'boardWhiteWins'
                : board.result === '0-1' ? 'boardBlackWins' : 'boardDraw');
  const key = game.isCheckmate() ? 'boardCheckmate'
    : game.isStalemate() ? 'boardStalemate'
    : game.isInsufficientMaterial() ? 'boardInsufficient'
    : game.isDrawByFiftyMoves() ? 'boardFifty'
    : game.isThreefoldRepetition() ? 'boardThreefold'
    : 'boardOver';
  return t(key, { who, result: board.result });
}

function describe (board, game, numbers) {
  let last = null;
  if (board.ply > 0) {
    const { number, white } = moveNumber(numbers, board.ply);
    last = `${number}${white ? '.' : '...'} ${board.moves[board.ply - 1]}`;
  }
  let text = last ? t('boardAfter', { move: last }) : t('boardStartPosition');
  if (board.result && board.ply === board.moves.length)
    text += ` ${resultSentence(board, game)}`;
  else
    text += ` ${t(game.turn() === 'w' ? 'boardWhiteToMove' : 'boardBlackToMove')}` +
            `${game.inCheck() ? t('boardInCheck') : ''}.`;
  if (board.ply < board.moves.length)
    text += ` ${t('boardShowing', { ply: board.ply, total: board.moves.length })}`;
  if (mayMove())
    text += ` ${t('boardMayMove')}`;
  else if (!mayNavigate())
    text += ` ${t('boardTeacherChooses')}`;
  return text;
}

/* The panel's fixed words, in the page's language. */
function label () {
  panel.setAttribute('aria-label', t('boardLabel'));
  list.setAttribute('aria-label', t('boardMoves'));
  chooser.setAttribute('aria-label', t('boardPromote'));
  flip.textContent = t('boardFlip');
  save.textContent = t('boardSave');
  openLabel.querySelector('span').textContent = t('boardOpen');
  document.getElementById('board-fen-label').textContent = t('boardFen');
  copy.textContent = t('boardCopy');
  setUp.textContent = t('boardSetUp');
  const names = { q: 'boardQueen', r: 'boardRook', b: 'boardBishop', n: 'boardKnight', cancel: 'boardCancel' };
  for (const button of chooser.querySelectorAll('button'))
    button.textContent = t(names[button.dataset.piece]);
}

function renderList (board, numbers) {
  list.replaceChildren();
  const start = document.createElement('li');
  list.append(start);
  const button = (label, ply) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.ply = String(ply);
    b.disabled = !mayNavigate();
    if (ply === board.ply)
      b.setAttribute('aria-current', 'step');
    b.addEventListener('click', () => request({ type: 'board-view', ply }));
    return b;
  };
  start.append(button(t('boardStart'), 0));
  board.moves.forEach((san, i) => {
    const item = document.createElement('li');
    const { number, white } = moveNumber(numbers, i + 1);
    const prefix = white ? `${number}. ` : i === 0 ? `${number}... ` : '';
    item.append(button(`${prefix}${san}`, i + 1));
    list.append(item);
  });
  if (board.result) {
    const item = document.createElement('li');
    item.className = 'board-result';
    item.textContent = board.result;
    list.append(item);
  }
}

function render () {
  const board = view.board;
  const game = replay(board);
  if (game === null)
    return;
  view.game = game;
  panel.hidden = false;

  const history = game.history({ verbose: true });
  const last = history.length ? history[history.length - 1] : null;
  const atEnd = board.ply === board.moves.length;
  const canMove = mayMove() && !(board.result && atEnd);
  ground.set({
    fen: game.fen(),
    turnColor: turnColor(game),
    lastMove: last ? [last.from, last.to] : undefined,
    check: game.inCheck() ? turnColor(game) : false,
    movable: { color: canMove ? turnColor(game) : undefined, dests: canMove ? destinations(game) : new Map() },
    drawable: { enabled: mayMove() },
  });
  ground.setShapes(shapesFromServer(board.shapes));
  /* Those who may set up a game type a FEN here: not overwritten meanwhile. */
  fenInput.readOnly = !mayNavigate();
  setUp.hidden = !mayNavigate();
  openLabel.hidden = !mayNavigate();
  if (document.activeElement !== fenInput)
    fenInput.value = game.fen();
  const numbers = numbering(board);
  info.textContent = describe(board, game, numbers);
  renderList(board, numbers);
}

function sendMove (from, to, promotion) {
  request({ type: 'move', uci: `${from}${to}${promotion || ''}` });
}

function onMove (from, to) {
  const piece = view.game.get(from);
  const lastRank = piece && piece.type === 'p' && (to[1] === '8' || to[1] === '1');
  if (lastRank) {
    view.pending = { from, to };
    chooser.hidden = false;
    chooser.querySelector('button').focus();
    return;
  }
  sendMove(from, to);
}

chooser.addEventListener('click', (event) => {
  const piece = event.target.closest('button')?.dataset.piece;
  if (!piece || !view.pending)
    return;
  chooser.hidden = true;
  const { from, to } = view.pending;
  view.pending = null;
  if (piece === 'cancel')
    render();
  else
    sendMove(from, to, piece);
});

/* Right-drag shapes: the server keeps them (at most 32) and sends them back. */
function onShapes (shapes) {
  if (!mayMove())
    return;
  const out = [];
  for (const s of shapes) {
    const color = COLORS.includes(s.brush) ? s.brush : 'green';
    if (s.dest && s.dest !== s.orig)
      out.push({ from: s.orig, to: s.dest, color });
    else
      out.push({ square: s.orig, color });
  }
  request({ type: 'board-shapes', shapes: out.slice(0, 32) });
}

flip.addEventListener('click', () => ground.toggleOrientation());

function say (text) {
  note.textContent = text;
  note.hidden = !text;
}

/* The whole game (every move, whatever is shown) as PGN, written by
 * chess.js: a FEN start gets its SetUp and FEN tags. */
function gamePgn (board) {
  const game = new Chess(board.start_fen);
  for (const san of board.moves)
    game.move(san);
  game.header('Event', t('boardLabel'), 'Date', new Date().toISOString().slice(0, 10).replace(/-/g, '.'),
              'Result', board.result || '*');
  return game.pgn();
}

save.addEventListener('click', () => {
  if (!view.board)
    return;
  const url = URL.createObjectURL(new Blob([gamePgn(view.board) + '\n'], { type: 'application/x-chess-pgn' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'game.pgn';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
});

copy.addEventListener('click', async () => {
  fenInput.select();
  try {
    await navigator.clipboard.writeText(fenInput.value);
    say(t('boardCopied'));
  } catch (e) {
    /* No clipboard for this page (an insecure origin, a refused
     * permission): the FEN stays selected for Ctrl+C. */
    console.info(`kibitz: no clipboard: ${e.message}`);
  }
});

setUp.addEventListener('click', () => {
  const fen = fenInput.value.trim();
  if (fen)
    request({ type: 'board-set', fen });
  fenInput.blur();
});

fenInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !fenInput.readOnly)
    setUp.click();
});

openInput.addEventListener('change', async () => {
  const file = openInput.files[0];
  openInput.value = '';
  if (!file)
    return;
  if (file.size > PGN_MAX) {
    say(t('boardTooBig'));
    return;
  }
  say('');
  request({ type: 'board-set', pgn: await file.text() });
});
label();

/* chessground sizes its squares in pixels when drawn: a turned phone or a
 * resized window needs a new drawing, or the old size pushes the page wide. */
new ResizeObserver(() => ground.redrawAll()).observe(document.getElementById('board'));

window.addEventListener('kibitz:board', (event) => {
  const { board, id, role, error } = event.detail;
  if (id !== undefined)
    view.id = id;
  if (role !== undefined)
    view.role = role;
  if (board)
    view.board = board;
  if (error) {
    console.info(`kibitz: the server refused: ${error.code}: ${error.message}`);
    /* A FEN or PGN of ours refused: the server's sentence says why. */
    if (error.code === 'bad-fen' || error.code === 'bad-pgn')
      say(error.message);
  } else if (board) {
    say('');
  }
  /* A refusal puts back the piece chessground moved under the pointer. */
  if (view.board)
    render();
});

/* The page's classic script may have had its welcome before this module ran. */
window.dispatchEvent(new CustomEvent('kibitz:board-ready'));
