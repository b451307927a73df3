// A plain-JS port of the seed client's React VideoChat component
// (../shared/seed/000_770f4ea2fe7f421f.txt): the same destinations, the same JSON messages and
// the same handling of each `type`. React state becomes plain variables plus render(); the rest
// is the seed's logic line for line. Where the port differs, a comment says why.
//
// For the test: window.seedState (plain data) and window.seedSnapshot() (adds <video> and
// getStats() readings); window.seedSendChat(msg) sends a chat line as the seed's chat box would.
'use strict';

(() => {
  const params = new URLSearchParams(window.location.search);
  const server = params.get('server'); // e.g. http://127.0.0.1:8080 (the seed: http://localhost:8080)
  const roomKey = params.get('room');
  const from = params.get('from');
  const nickname = params.get('nickname') ?? from;
  // The seed's peerConnectionConfig is not shown (usually a public STUN server); this machine has
  // no outside network, and host candidates on loopback are all two local browsers need.
  const peerConnectionConfig = { iceServers: [] };

  const state = {
    from,
    nickname,
    roomKey,
    scriptsLoaded: false,
    stompConnected: false,
    transport: null, // sockjs-client's chosen transport, read when the socket opens
    joined: false,
    joinWaitedForStomp: false, // true when getUserMedia finished before STOMP was connected
    timing: {}, // ms since page load: sockjsOpen, stompConnected, gotUserMedia, joinSent
    localStreamId: null,
    peers: {}, // remote id -> RTCPeerConnection.connectionState
    remoteStreams: [], // stream ids, in the order the seed's Map holds them
    received: [], // every room message, without SDP bodies
    chat: [], // "nickname : msg" lines, as the seed shows them
    errors: [], // errors and unhandled rejections, also printed to the console
  };
  window.seedState = state;

  const recordError = (what, err) => {
    const text = `${what}: ${err && err.stack ? err.stack : String(err)}`;
    state.errors.push(text);
    console.error(text);
  };
  window.addEventListener('error', (e) => recordError('error', e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => recordError('unhandled rejection', e.reason));

  let stomp = null; // stomp.current
  let localStream = null; // localStream.current
  const myPeerConnections = new Map();
  let remoteStreams = new Map(); // React state: Map<streamId, MediaStream>
  let resolveStompReady;
  const stompReady = new Promise((resolve) => {
    resolveStompReady = resolve;
  });

  // React's setRemoteStreams + re-render: one <video> per remote stream, keyed by stream id.
  const setRemoteStreams = (update) => {
    remoteStreams = update(remoteStreams);
    state.remoteStreams = [...remoteStreams.keys()];
    const container = document.getElementById('remote-videos');
    for (const el of [...container.children]) {
      if (!remoteStreams.has(el.dataset.streamId)) el.remove();
    }
    for (const [id, stream] of remoteStreams) {
      let el = [...container.children].find((v) => v.dataset.streamId === id);
      if (!el) {
        el = document.createElement('video');
        el.autoplay = true;
        el.playsInline = true;
        el.muted = true; // autoplay without a user gesture; the audio track still plays out
        el.dataset.streamId = id;
        container.append(el);
      }
      if (el.srcObject !== stream) el.srcObject = stream;
    }
  };

  const setReceivedMsg = (line) => {
    state.chat.push(line);
    const li = document.createElement('li');
    li.textContent = line;
    document.getElementById('chat').append(li);
  };

  const send = (body) => stomp.send(`/chat/room.${roomKey}`, {}, JSON.stringify(body));

  // webRTC 연결 후 다른 사용자로부터 받은 media stream을 관리한다.
  const handleTrack = (data) => {
    setRemoteStreams((previous) => {
      const updated = new Map(previous);
      updated.set(data.streams[0].id, data.streams[0]);
      return updated;
    });
  };

  const createPeerConnection = (target) => {
    if (!localStream) {
      console.log('no media');
      return null;
    }
    const newPeerConnection = new RTCPeerConnection(peerConnectionConfig);
    myPeerConnections.set(target, newPeerConnection);
    newPeerConnection.onicecandidate = (data) => {
      send({ type: 'ice', from, target, iceCandidate: data.candidate });
    };
    newPeerConnection.ontrack = handleTrack;
    // not in the seed: the test reads each connection's state
    state.peers[target] = newPeerConnection.connectionState;
    newPeerConnection.addEventListener('connectionstatechange', () => {
      state.peers[target] = newPeerConnection.connectionState;
    });
    localStream.getTracks().forEach((track) => {
      newPeerConnection.addTrack(track, localStream);
    });
    return newPeerConnection;
  };

  // 다른 유저의 join 메세지를 받으면 makeOffer 함수를 실행한다.
  const makeOffer = async (target) => {
    const newPeerConnection = createPeerConnection(target);
    if (!newPeerConnection) return;
    newPeerConnection.onnegotiationneeded = async () => {
      const offer = await newPeerConnection.createOffer();
      await newPeerConnection.setLocalDescription(offer);
      send({ type: 'offer', from, target, sdp: newPeerConnection.localDescription });
    };
  };

  // offer 메세지 수신시 동작
  const makeAnswer = async (target, receivedOffer) => {
    const newPeerConnection = createPeerConnection(target);
    if (!newPeerConnection) return;
    await newPeerConnection.setRemoteDescription(receivedOffer);
    const answer = await newPeerConnection.createAnswer();
    await newPeerConnection.setLocalDescription(answer);
    send({ type: 'answer', from, target, sdp: newPeerConnection.localDescription });
  };

  // The seed's disconnect() is not shown; closing the connection is what it must do.
  const disconnect = (peerConnection) => {
    peerConnection.close();
    for (const [id, pc] of myPeerConnections) {
      if (pc === peerConnection) state.peers[id] = 'closed';
    }
  };

  const onRoomMessage = (message) => {
    const json = JSON.parse(message.body);
    const { sdp, iceCandidate, ...summary } = json;
    if (iceCandidate !== undefined) summary.iceCandidate = iceCandidate === null ? null : '…';
    state.received.push(summary);
    if (json.type === 'message') {
      setReceivedMsg(`${json.nickname} : ${json.msg}`);
    } else if (json.type === 'join') {
      if (json.from !== from) {
        makeOffer(json.from);
      }
    } else if (json.type === 'offer') {
      if (from === json.target) {
        makeAnswer(json.from, json.sdp);
      }
    } else if (json.type === 'answer') {
      if (from === json.target) {
        myPeerConnections.get(json.from)?.setRemoteDescription(json.sdp);
      }
    } else if (json.type === 'ice') {
      if (from === json.target) {
        myPeerConnections.get(json.from)?.addIceCandidate(json.iceCandidate);
      }
    } else if (json.type === 'leave') {
      const myPeerConnection = myPeerConnections.get(json.from);
      if (myPeerConnection) {
        disconnect(myPeerConnection);
      }
      setRemoteStreams((previous) => {
        const updated = new Map(previous);
        updated.delete(json.streamId);
        return updated;
      });
    }
  };

  // 스프링 서버와 stomp 연결하는 함수
  const handleStompConnection = () => {
    const ws = new window.SockJS(`${server}/stomp`);
    ws.addEventListener('open', () => {
      state.transport = ws.transport; // sockjs-client clears it again on close
      state.timing.sockjsOpen = Math.round(performance.now());
    });
    stomp = window.StompJs.Stomp.over(ws);
    stomp.debug = () => {};
    stomp.connect(
      {},
      () => {
        state.stompConnected = true;
        state.timing.stompConnected = Math.round(performance.now());
        stomp.subscribe(`/exchange/chat.exchange/room.${roomKey}`, onRoomMessage);
        resolveStompReady();
      },
      (frame) => recordError('STOMP error', frame && frame.headers ? frame.headers.message : frame),
      (evt) => {
        state.stompConnected = false;
        console.log(`STOMP socket closed: ${evt && evt.code} ${evt && evt.reason}`);
      },
    );
  };

  const joinRoom = async () => {
    try {
      handleStompConnection();
      // Smaller than the seed's {facingMode: "user"}: two browsers share two CPU cores.
      localStream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: 320, height: 240, frameRate: 15 },
      });
      state.localStreamId = localStream.id;
      state.timing.gotUserMedia = Math.round(performance.now());
      document.getElementById('local-video').srcObject = localStream;
      // The seed sends join right after getUserMedia, racing the STOMP connection (a person
      // answering the camera prompt is slower than the socket; a fake device is not). Sending
      // before CONNECTED throws, and the seed only logs it: wait instead, and say so.
      if (!state.stompConnected) {
        state.joinWaitedForStomp = true;
        await stompReady;
      }
      send({ type: 'join', from, nickname });
      state.timing.joinSent = Math.round(performance.now());
      state.joined = true;
    } catch (err) {
      recordError('joinRoom', err);
    }
  };

  window.seedSendChat = (msg) => send({ type: 'message', nickname, msg });

  window.seedSnapshot = async () => {
    const videos = [...document.querySelectorAll('#remote-videos video')].map((v) => ({
      streamId: v.dataset.streamId,
      videoWidth: v.videoWidth,
      videoHeight: v.videoHeight,
      currentTime: v.currentTime,
      readyState: v.readyState,
      paused: v.paused,
    }));
    const stats = {};
    for (const [id, pc] of myPeerConnections) {
      if (pc.signalingState === 'closed') continue;
      const s = { framesDecoded: 0, videoPackets: 0, audioPackets: 0, audioSamples: 0 };
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'video') {
          s.framesDecoded += r.framesDecoded ?? 0;
          s.videoPackets += r.packetsReceived ?? 0;
        } else if (r.kind === 'audio') {
          s.audioPackets += r.packetsReceived ?? 0;
          s.audioSamples += r.totalSamplesReceived ?? 0;
        }
      });
      stats[id] = s;
    }
    return { ...JSON.parse(JSON.stringify(state)), videos, stats };
  };

  const loadScript = (src) =>
    new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(script);
    });

  document.getElementById('title').textContent = `VideoChat ${roomKey} — ${nickname}`;
  Promise.all([loadScript(`${server}/stomp/sockjs.min.js`), loadScript('/vendor/stomp.umd.min.js')])
    .then(() => {
      state.scriptsLoaded = true;
      // 페이지에 들어가면 joinRoom() 실행
      return joinRoom();
    })
    .catch((err) => recordError('loading scripts', err));
})();
