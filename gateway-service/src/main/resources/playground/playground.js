// Ovis Serve playground: plain JS against the gateway's public API (no build step, no CDN).
// Every call carries the API key typed at the top; streams (chat, job events) are read with
// fetch() because EventSource cannot send an Authorization header.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const keyInput = $('api-key');
  const state = { attachments: [], abort: null, watching: new Map() };

  keyInput.value = localStorage.getItem('ovis-api-key') || '';
  keyInput.addEventListener('change', () => {
    localStorage.setItem('ovis-api-key', keyInput.value.trim());
    loadModels();
    refreshJobs();
  });

  function status(text) { $('status').textContent = text; }

  async function api(path, options = {}) {
    const headers = Object.assign({ Authorization: 'Bearer ' + keyInput.value.trim() }, options.headers || {});
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (!response.ok && response.status !== 202) {
      let detail = response.status + ' ' + response.statusText;
      try {
        const problem = await response.json();
        detail = problem.detail || problem.title || detail;
      } catch (ignored) { /* not JSON */ }
      throw new Error(detail);
    }
    return response;
  }

  async function loadModels() {
    if (!keyInput.value.trim()) { status('enter the API key'); return; }
    try {
      const models = (await (await api('/v1/models')).json()).data || [];
      const select = $('model');
      select.innerHTML = '';
      for (const m of models) {
        const option = document.createElement('option');
        option.value = option.textContent = m.id;
        select.appendChild(option);
      }
      status(models.length ? 'ready' : 'no model loaded yet');
    } catch (e) { status('models: ' + e.message); }
  }

  // ---- attachments -------------------------------------------------------------------------
  const readDataUrl = (file) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

  function addFiles(files) {
    for (const file of files) {
      const kind = file.type.startsWith('video/') ? 'video' : file.type.startsWith('image/') ? 'image' : null;
      if (!kind) { status(file.name + ': not an image or a video'); continue; }
      if (kind === 'video') { state.attachments = state.attachments.filter((a) => a.kind !== 'video'); }
      // null: the request names no max_partition, so the deployment's default applies (9 unless the
      // vision service sets ovis.vision.preprocess.default-max-partition)
      state.attachments.push({ kind, file, url: URL.createObjectURL(file), maxPartition: null });
    }
    renderAttachments();
  }

  function renderAttachments() {
    const list = $('attachments');
    list.innerHTML = '';
    state.attachments.forEach((a, i) => {
      const li = document.createElement('li');
      li.dataset.kind = a.kind;
      const media = document.createElement(a.kind === 'video' ? 'video' : 'img');
      media.src = a.url;
      if (a.kind === 'video') { media.muted = true; }
      li.appendChild(media);
      if (a.kind === 'image') {
        const label = document.createElement('label');
        label.textContent = 'max_partition ';
        const input = document.createElement('input');
        input.type = 'number'; input.min = 1; input.max = 12; input.value = a.maxPartition ?? ''; input.placeholder = 'default';
        input.className = 'max-partition';
        input.addEventListener('change', () => { a.maxPartition = input.value === '' ? null : Number(input.value); });
        label.appendChild(input);
        li.appendChild(label);
      }
      const remove = document.createElement('button');
      remove.type = 'button'; remove.textContent = 'remove';
      remove.addEventListener('click', () => { state.attachments.splice(i, 1); renderAttachments(); });
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  $('files').addEventListener('change', (e) => { addFiles(e.target.files); e.target.value = ''; });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); addFiles(e.dataTransfer.files); });

  // ---- chat ----------------------------------------------------------------------------------
  function turn(role, text) {
    const div = document.createElement('div');
    div.className = 'turn ' + role;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    div.appendChild(body);
    $('transcript').appendChild(div);
    div.scrollIntoView({ block: 'end' });
    return div;
  }

  async function uploadVideo(file) {
    const response = await api('/v1/media', { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
    return (await response.json()).id;
  }

  async function showKeyframes(videoId, question) {
    $('keyframes').hidden = false;
    const list = $('keyframe-list');
    list.textContent = 'choosing key frames…';
    try {
      const response = await api('/v1/video/keyframes', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ video: videoId, question, frames: 8 }) });
      let view = await response.json();
      if (response.status === 202) { view = keyframeView(await watchJob(view.id)); }
      list.innerHTML = '';
      for (const frame of view.frames) {
        const figure = document.createElement('figure');
        const img = document.createElement('img');
        img.alt = 'frame ' + frame.index;
        img.src = URL.createObjectURL(await (await api(frame.thumbnail)).blob());
        const caption = document.createElement('figcaption');
        caption.textContent = 'frame ' + frame.index + ' · ' + Number(frame.timestamp).toFixed(2) + ' s';
        figure.append(img, caption);
        list.appendChild(figure);
      }
    } catch (e) { list.textContent = 'key frames: ' + e.message; }
  }

  function keyframeView(job) {
    const result = job.result.keyframes;
    return { frames: result.frames.map((f, i) => ({ index: f.index, timestamp: f.timestamp,
      thumbnail: '/v1/video/keyframes/' + job.id + '/frames/' + i })) };
  }

  $('chat-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const question = $('question').value.trim();
    if (!question && !state.attachments.length) { return; }
    const parts = [];
    const shown = turn('user', question);
    let video = null;
    for (const a of state.attachments) {
      if (a.kind === 'image') {
        const url = await readDataUrl(a.file);
        parts.push({ type: 'image_url', image_url: a.maxPartition === null ? { url } : { url, max_partition: a.maxPartition } });
        const thumb = document.createElement('img');
        thumb.className = 'thumb'; thumb.src = a.url;
        shown.prepend(thumb);
      } else {
        status('uploading the video…');
        video = await uploadVideo(a.file);
        status('ready');
        parts.push({ type: 'video_url', video_url: { url: video } });
        const label = document.createElement('em');
        label.textContent = '[video ' + a.file.name + '] ';
        shown.prepend(label);
      }
    }
    if (question) { parts.push({ type: 'text', text: question }); }
    state.attachments = [];
    renderAttachments();
    $('question').value = '';
    if (video) { showKeyframes(video, question); }
    await ask(parts);
  });

  $('stop').addEventListener('click', () => { if (state.abort) { state.abort.abort(); } });

  async function ask(parts) {
    const answer = turn('assistant', '');
    answer.dataset.state = 'waiting';
    const text = answer.querySelector('.text');
    const stats = document.createElement('small');
    stats.className = 'stats';
    answer.appendChild(stats);
    const stream = $('stream').checked;
    const body = { model: $('model').value, messages: [{ role: 'user', content: parts }],
      max_tokens: Number($('max-tokens').value), temperature: Number($('temperature').value), stream };
    if (stream) { body.stream_options = { include_usage: true }; }
    state.abort = new AbortController();
    $('send').disabled = true; $('stop').disabled = false;
    const t0 = performance.now();
    let first = null;
    let usage = null;
    try {
      const response = await api('/v1/chat/completions', { method: 'POST', signal: state.abort.signal,
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      answer.dataset.traceId = response.headers.get('X-Trace-Id') || '';
      if (stream) {
        await readEvents(response, (event) => {
          if (event.data === '[DONE]') { return; }
          const chunk = JSON.parse(event.data);
          if (chunk.usage) { usage = chunk.usage; }
          const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
          if (delta && delta.content) {
            if (first === null) { first = performance.now(); answer.dataset.state = 'streaming'; }
            text.textContent += delta.content;
          }
        });
      } else {
        const completion = await response.json();
        first = performance.now();
        text.textContent = completion.choices[0].message.content;
        usage = completion.usage;
      }
      const end = performance.now();
      const tokens = usage ? usage.completion_tokens : null;
      const ttft = first === null ? null : (first - t0) / 1000;
      const decode = first === null ? 0 : (end - first) / 1000;
      // Tokens arrive grouped (the llm streams every ovis.llm.stream-interval): the decode rate
      // after the first chunk when the answer took a while, else the whole answer's rate.
      const rate = !tokens ? null : decode >= 0.25 && tokens > 1 ? (tokens - 1) / decode : tokens / ((end - t0) / 1000);
      stats.textContent = [
        ttft === null ? 'no tokens' : 'TTFT ' + ttft.toFixed(2) + ' s',
        rate === null ? null : rate.toFixed(1) + ' tokens/s',
        tokens === null ? null : tokens + ' tokens',
        usage ? usage.prompt_tokens + ' prompt positions' : null,
        answer.dataset.traceId ? 'trace ' + answer.dataset.traceId : null,
      ].filter(Boolean).join(' · ');
      stats.dataset.ttft = ttft === null ? '' : String(ttft);
      answer.dataset.state = 'done';
    } catch (e) {
      answer.classList.add('error');
      text.textContent += (text.textContent ? '\n' : '') + (e.name === 'AbortError' ? 'stopped' : e.message);
      answer.dataset.state = 'failed';
    } finally {
      state.abort = null;
      $('send').disabled = false; $('stop').disabled = true;
    }
  }

  // Server-sent events from a fetch() body: "event:", "id:" and "data:" lines, blank line ends one.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { break; }
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const event = { event: 'message', data: '' };
        for (const line of block.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon <= 0) { continue; }
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') { event.data += (event.data ? '\n' : '') + value; } else { event[field] = value; }
        }
        if (event.data) { onEvent(event); }
      }
    }
  }

  // ---- OCR -----------------------------------------------------------------------------------
  async function ocr(async) {
    const file = $('ocr-file').files[0];
    if (!file) { status('choose an image to read'); return; }
    const image = await readDataUrl(file);
    const languages = $('ocr-languages').value.split(',').map((s) => s.trim()).filter(Boolean);
    $('ocr-text').textContent = 'reading…';
    try {
      const response = await api('/v1/ocr', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ image, languages, async }) });
      let result = await response.json();
      if (response.status === 202) {
        refreshJobs();
        result = (await watchJob(result.id)).result.ocr;
      }
      await drawOcr(image, result);
    } catch (e) { $('ocr-text').textContent = 'OCR: ' + e.message; }
  }

  async function drawOcr(src, result) {
    const img = new Image();
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = src; });
    const canvas = $('ocr-canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    g.lineWidth = Math.max(2, canvas.width / 400);
    g.strokeStyle = '#e0245e';
    g.fillStyle = '#e0245e';
    g.font = Math.max(12, canvas.width / 60) + 'px sans-serif';
    let boxes = 0;
    for (const block of result.blocks) {
      for (const line of block.lines) {
        if (!line.box || !line.box.length) { continue; }
        g.beginPath();
        line.box.forEach((p, i) => (i ? g.lineTo(p.x, p.y) : g.moveTo(p.x, p.y)));
        g.closePath();
        g.stroke();
        boxes++;
      }
    }
    canvas.dataset.boxes = String(boxes);
    $('ocr-text').textContent = result.text;
  }

  $('ocr-run').addEventListener('click', () => ocr(false));
  $('ocr-async').addEventListener('click', () => ocr(true));

  // ---- jobs ----------------------------------------------------------------------------------
  async function refreshJobs() {
    if (!keyInput.value.trim()) { return; }
    try {
      const page = await (await api('/v1/jobs?limit=15')).json();
      const body = $('jobs').querySelector('tbody');
      body.innerHTML = '';
      for (const job of page.data) { body.appendChild(jobRow(job)); }
    } catch (e) { status('jobs: ' + e.message); }
  }

  function jobRow(job) {
    const tr = document.createElement('tr');
    tr.id = 'job-' + job.id;
    tr.dataset.status = job.status;
    const progress = document.createElement('progress');
    progress.max = 1;
    if (job.progress !== null && job.progress !== undefined) { progress.value = job.progress; }
    if (job.status === 'SUCCEEDED') { progress.value = 1; }
    const cells = [job.id.slice(0, 8), job.kind, job.status, progress, (job.updatedAt || '').replace('T', ' ').slice(0, 19)];
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c; }
      tr.appendChild(td);
    }
    return tr;
  }

  // Follows GET /v1/jobs/{id}/events to a terminal state, updating the job's row; resolves with the job.
  async function watchJob(id) {
    let last = null;
    const response = await api('/v1/jobs/' + id + '/events', { headers: { Accept: 'text/event-stream' } });
    await readEvents(response, (event) => {
      last = JSON.parse(event.data);
      const row = jobRow(last);
      const old = document.getElementById('job-' + id);
      if (old) { old.replaceWith(row); } else { $('jobs').querySelector('tbody').prepend(row); }
    });
    if (!last || last.status !== 'SUCCEEDED') {
      throw new Error('job ' + id + ' ended ' + (last ? last.status + (last.error ? ': ' + last.error.detail : '') : 'without news'));
    }
    return last;
  }

  $('jobs-refresh').addEventListener('click', refreshJobs);
  if (keyInput.value.trim()) { loadModels(); refreshJobs(); } else { status('enter the API key'); }
})();
