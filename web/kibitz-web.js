/* kibitz-web.js: a browser participant in a Kibitz class, plain RTCPeerConnection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks the Kibitz wire protocol (protocol.md, version 1) and nothing else:
 * GET /v1/config, a WebSocket join, the newcomer offers to everyone listed in
 * `welcome`, trickled candidates, one RTCPeerConnection per remote peer with
 * the ice_servers of the latest `welcome`. See docs/browser-client.md.
 *
 * Query parameters (all optional): server, room, name, video=0|1, audio=0|1,
 * missing=recvonly|omit (what to offer for a kind we do not capture),
 * ice-address=ADDR (repeatable: only candidates on these addresses are sent),
 * report=URL (POST the status JSON there every second), autojoin=1.
 */

'use strict';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

const state = {
  ws: null,
  id: null,
  room: null,
  name: null,
  resume: null,
  iceServers: [],
  local: null,              /* MediaStream or null */
  peers: new Map(),         /* id -> Peer */
  names: new Map(),         /* id -> name */
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
  const response = await fetch(`${base}/v1/config`);
  if (!response.ok)
    throw new Error(`${base}/v1/config answered ${response.status}`);
  const config = await response.json();
  if (config.version !== 1 || typeof config.signaling !== 'string')
    throw new Error(`${base}/v1/config is not a Kibitz version 1 configuration`);
  return config;
}

function connect () {
  const url = `${state.signalingUrl}?room=${encodeURIComponent(state.room)}`;
  const ws = new WebSocket(url);

  state.ws = ws;
  ws.onopen = () => {
    const join = { type: 'join', room: state.room, name: state.name };
    if (state.resume)
      join.resume = state.resume;
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
    if (state.leaving)
      return;
    /* Reconnect with the resume token, backoff capped at 3 s plus jitter. */
    log(`signaling closed (${event.code}); reconnecting`);
    setStatus('Reconnecting…');
    const delay = Math.min(state.reconnectDelay, 3000) + Math.random() * 250;
    state.reconnectDelay = Math.min(state.reconnectDelay * 2, 3000);
    state.reconnectTimer = setTimeout(connect, delay);
  };
}

function handleMessage (message) {
  switch (message.type) {
    case 'welcome': return onWelcome(message);
    case 'joined':
      state.names.set(message.peer.id, message.peer.name);
      log(`${message.peer.name} joined`);
      return;
    case 'left': return removePeer(message.id, message.reason);
    case 'signal': return onSignal(message.from, message.data);
    case 'error':
      fail(`server: ${message.code}: ${message.message}`);
      if (message.code === 'room-full' || message.code === 'bad-room' || message.code === 'bad-name')
        leave();
      return;
    default:
      return; /* state, chat and future types: nothing to do for media */
  }
}

function onWelcome (welcome) {
  state.id = welcome.id;
  state.resume = welcome.resume;
  state.iceServers = welcome.ice_servers || [];
  state.reconnectDelay = 250;
  setStatus(`Joined “${welcome.room}” as ${state.name} (${welcome.id}).`);
  log(`welcome: id ${welcome.id}, ${welcome.peers.length} peer(s)${welcome.resumed ? ', resumed' : ''}`);

  /* The newcomer offers to every peer listed; a resumed client only to
   * those it has no connection with. */
  for (const peer of welcome.peers) {
    state.names.set(peer.id, peer.name);
    if (welcome.resumed && state.peers.has(peer.id))
      continue;
    if (state.peers.has(peer.id))
      closePeer(peer.id);
    startOffer(createPeer(peer.id, true));
  }
}

/* --- Peers --------------------------------------------------------------- */

function candidateAddress (line) {
  /* candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ... */
  const fields = line.replace(/^a=/, '').split(' ');
  return fields.length > 4 ? fields[4] : '';
}

function createPeer (id, offerer) {
  const pc = new RTCPeerConnection({ iceServers: state.iceServers, bundlePolicy: 'max-bundle' });
  const peer = {
    id, pc, offerer,
    sdpSent: false,
    pendingLocal: [],       /* our candidates waiting for our sdp to be sent */
    pendingRemote: [],      /* theirs waiting for their sdp */
    remoteSet: false,
    tile: null,
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
}

function removePeer (id, reason) {
  log(`${peerName(id)} left (${reason})`);
  closePeer(id);
}

/* --- Display ------------------------------------------------------------- */

function makeTile (title) {
  const tile = document.createElement('div');
  const video = document.createElement('video');
  const caption = document.createElement('div');

  tile.className = 'tile';
  video.autoplay = true;
  video.playsInline = true;
  caption.className = 'caption';
  caption.innerHTML = '<span class="name"></span><span class="info"></span>';
  caption.querySelector('.name').textContent = title;
  tile.append(video, caption);
  $('grid').append(tile);
  return tile;
}

function showTrack (peer, event) {
  if (!peer.tile)
    peer.tile = makeTile(peerName(peer.id));
  const video = peer.tile.querySelector('video');
  const stream = event.streams[0] || new MediaStream([event.track]);
  if (video.srcObject !== stream) {
    if (video.srcObject && !event.streams[0])
      video.srcObject.addTrack(event.track);
    else
      video.srcObject = stream;
  }
  video.play().catch(() => {
    /* Autoplay with sound refused: play muted rather than not at all. */
    video.muted = true;
    video.play().catch(() => {});
  });
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

  report.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
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
    peers[id] = Object.assign({
      name: peerName(id),
      offerer: peer.offerer,
      connectionState: peer.pc.connectionState,
    }, peer.stats);
  }
  return {
    id: state.id,
    room: state.room,
    name: state.name,
    camera: !!(state.local && state.local.getVideoTracks().length),
    microphone: !!(state.local && state.local.getAudioTracks().length),
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

/* --- Join and leave ------------------------------------------------------ */

async function join (server, room, name, wantVideo, wantAudio) {
  state.room = room;
  state.name = name;
  state.leaving = false;
  try {
    if (wantVideo || wantAudio) {
      state.local = await navigator.mediaDevices.getUserMedia({
        video: wantVideo ? { width: 640, height: 480 } : false,
        audio: wantAudio,
      });
      const tile = makeTile(`${name} (you)`);
      const video = tile.querySelector('video');
      video.muted = true;
      video.srcObject = state.local;
    }
    const config = await loadConfig(server);
    state.iceServers = config.ice_servers || [];
    state.signalingUrl = config.signaling;
    connect();
    $('join').disabled = true;
    $('leave').disabled = false;
    setStatus('Joining…');
  } catch (e) {
    fail(`could not join: ${e.message}`);
    setStatus(`Could not join: ${e.message}`);
  }
}

function leave () {
  state.leaving = true;
  clearTimeout(state.reconnectTimer);
  send({ type: 'leave' });
  for (const id of [...state.peers.keys()])
    closePeer(id);
  if (state.ws)
    state.ws.close(1000);
  $('join').disabled = false;
  $('leave').disabled = true;
  setStatus('Left.');
}

function flag (name, fallback) {
  const value = params.get(name);
  return value === null ? fallback : value !== '0' && value !== 'false';
}

function main () {
  for (const key of ['server', 'room', 'name'])
    if (params.get(key))
      $(key).value = params.get(key);
  $('video').checked = flag('video', true);
  $('audio').checked = flag('audio', true);
  $('join-form').onsubmit = (event) => {
    event.preventDefault();
    join($('server').value, $('room').value, $('name').value, $('video').checked, $('audio').checked);
  };
  $('leave').onclick = leave;
  window.kibitzStatus = status;
  setInterval(tick, 1000);
  if (flag('autojoin', false))
    join($('server').value, $('room').value, $('name').value, $('video').checked, $('audio').checked);
}

main();
