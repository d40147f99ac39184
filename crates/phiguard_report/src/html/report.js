(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('phiguard-data').textContent);
  var SEV = ['critical', 'high', 'medium', 'low'];
  var STATUS = {
    'findings': 'Findings',
    'waived': 'Waived only',
    'incomplete': 'Inputs incomplete',
    'no-findings': 'No findings',
    'not-run': 'Rules not run',
    'not-checkable': 'Not checkable by a scan'
  };
  var FIRST_CHUNK = 100;
  var CHUNK = 300;
  var RULES = {};
  D.rules.forEach(function (r) { RULES[r.code] = r; });
  var TITLES = {};
  D.matrix.forEach(function (s) {
    TITLES[s.citation] = s.title;
    s.specs.forEach(function (p) { TITLES[p.citation] = p.title; });
  });

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === null || attrs[k] === undefined) continue;
        if (k === 'text') e.textContent = String(attrs[k]);
        else if (k === 'class') e.className = attrs[k];
        else if (k === 'onclick') e.addEventListener('click', attrs[k]);
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function add(parent, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) { kid.forEach(function (k) { add(parent, k); }); return; }
    parent.appendChild(typeof kid === 'object' ? kid : document.createTextNode(String(kid)));
  }
  // Remediation text is a small Markdown subset: ``` fences, `code`, blank-line paragraphs.
  function inline(text) {
    return text.split(/`([^`]+)`/).map(function (part, i) { return i % 2 ? el('code', { text: part }) : part; });
  }
  function markdown(text) {
    var out = [];
    text.split('```').forEach(function (part, i) {
      if (i % 2) {
        out.push(el('pre', { 'class': 'snippet' }, part.replace(/^[A-Za-z0-9_-]*\n/, '').replace(/\s+$/, '')));
      } else {
        part.split(/\n\s*\n/).forEach(function (para) {
          if (para.trim()) out.push(el('p', { 'class': 'md' }, inline(para.trim())));
        });
      }
    });
    return out;
  }
  function firstSentence(text) {
    var prose = text.split('```')[0].trim();
    var code = false;
    for (var i = 0; i < prose.length; i++) {
      var c = prose.charAt(i);
      if (c === '`') code = !code;
      else if (!code && (c === '.' || c === ':') && (i + 1 === prose.length || /\s/.test(prose.charAt(i + 1)))) {
        return prose.slice(0, i) + '.';
      }
    }
    return prose;
  }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function plural(n, one, many) { return fmt(n) + ' ' + (n === 1 ? one : (many || one + 's')); }
  function statusBadge(s) { return el('span', { 'class': 'status ' + s, 'data-status': s, text: STATUS[s] || s }); }
  function req(r) {
    if (!r) return '';
    return el('span', { 'class': 'req ' + r, title: r, text: r === 'required' ? 'R' : 'A' });
  }
  function sevBadge(s) { return el('span', { 'class': 'badge sev-' + s, text: s }); }
  function section(id, title, cls) {
    var s = el('section', { id: id, 'class': cls || '' }, el('h2', { text: title }));
    document.getElementById('app').appendChild(s);
    addNav(id, title);
    return s;
  }
  function addNav(id, title) {
    document.getElementById('nav').appendChild(el('a', { href: '#' + id, text: title }));
  }
  function table(columns, rows, attrs) {
    var head = el('tr', null, columns.map(function (c) {
      return el('th', { 'class': c.num ? 'num' : null, text: c.label || c });
    }));
    return el('table', attrs || null, el('thead', null, head), el('tbody', null, rows));
  }
  function td(content, cls) { return el('td', cls ? { 'class': cls } : null, content); }

  // ---------------------------------------------------------------- summary
  function renderSummary() {
    var S = D.summary;
    var p = D.provenance;
    document.getElementById('subtitle').textContent =
      'phiguard ' + p.version + ' \u00b7 generated ' + p.generated_at + ' \u00b7 ' +
      plural(S.inputs, 'input') + ' \u00b7 configuration ' + (p.config_file || 'defaults');
    var s = section('summary', 'Summary');
    if (D.errors.length) {
      s.appendChild(el('div', { 'class': 'banner err', 'data-k': 'errors' },
        el('b', { text: plural(D.errors.length, 'input error') + ' in ' + plural(S.inputs_failed, 'input') + ': ' }),
        'the results below are incomplete. See ', el('a', { href: '#errors', text: 'Input errors' }), '.'));
    }
    if (S.objects === 0) {
      s.appendChild(el('div', { 'class': 'banner err', text: 'No Kubernetes objects were found in the inputs: nothing was checked. This is not a pass.' }));
    } else if (S.failing > 0) {
      s.appendChild(el('div', { 'class': 'banner bad', 'data-k': 'verdict' },
        el('b', { text: plural(S.failing, 'finding') }), ' at or above ', el('b', { text: S.fail_on }),
        ' severity (' + plural(S.findings, 'open finding') + ', ' + fmt(S.waived) + ' waived).'));
    } else {
      s.appendChild(el('div', { 'class': D.errors.length ? 'banner err' : 'banner good', 'data-k': 'verdict' },
        'No open findings at or above ', el('b', { text: S.fail_on }), ' severity' +
        (D.errors.length ? ' in the inputs that could be read' : '') + ' (' +
        plural(S.findings, 'open finding') + ', ' + fmt(S.waived) + ' waived).'));
    }
    s.appendChild(el('h3', { text: 'Scope scanned' }));
    var scope = [
      ['inputs', S.inputs, 'inputs'], ['objects', S.objects, 'Kubernetes objects'], ['workloads', S.workloads, 'workloads'],
      ['namespaces', S.namespaces, 'namespaces'], ['phi_namespaces', S.phi_namespaces, 'PHI-scope namespaces'],
      ['phi_workloads', S.phi_workloads, 'PHI-scope workloads'], ['rules_run', S.rules_run, 'rules run']
    ];
    s.appendChild(el('div', { 'class': 'stats' }, scope.map(function (x) {
      return el('div', { 'class': 'stat', 'data-stat': x[0] }, el('span', { 'class': 'n', text: fmt(x[1]) }), el('span', { 'class': 'l', text: x[2] }));
    })));
    s.appendChild(el('h3', { text: 'Open findings by severity' }));
    var sev = S.by_severity.map(function (c) {
      return el('div', { 'class': 'stat sev-' + c.severity, 'data-sev-count': c.severity },
        el('span', { 'class': 'n', text: fmt(c.count) }), el('span', { 'class': 'l', text: c.severity }));
    });
    sev.push(el('div', { 'class': 'stat', 'data-stat': 'findings' }, el('span', { 'class': 'n', text: fmt(S.findings) }), el('span', { 'class': 'l', text: 'open in total' })));
    sev.push(el('div', { 'class': 'stat', 'data-stat': 'waived' }, el('span', { 'class': 'n', text: fmt(S.waived) }), el('span', { 'class': 'l', text: 'waived' })));
    s.appendChild(el('div', { 'class': 'stats' }, sev));

    s.appendChild(el('h3', { text: 'Status per HIPAA Security Rule standard' }));
    s.appendChild(el('p', { 'class': 'note', text: 'A status comes from the rules mapped to each standard and implementation specification. ' +
      '"No findings" means the mapped rules ran and reported nothing; it is evidence for the specification, not proof of compliance. ' +
      '"Inputs incomplete" means the same, but some inputs could not be read or nothing was scanned, so it is not evidence. ' +
      'Specifications no rule maps to cannot be shown by a manifest scan and need other evidence.' }));
    s.appendChild(el('div', { 'class': 'legend-row' }, Object.keys(STATUS).map(function (k) { return statusBadge(k); }),
      el('span', null, req('required'), ' required'), el('span', null, req('addressable'), ' addressable')));
    s.appendChild(table(['Safeguards', 'Status', { label: 'Open findings', num: true }, 'Specifications by status'],
      D.safeguards.map(function (g) {
        return el('tr', { 'data-safeguard': g.section },
          td([el('b', { text: g.section }), ' ', g.title]), td(statusBadge(g.status)), td(fmt(g.findings), 'num'),
          td(el('div', { 'class': 'chips' }, Object.keys(g.specs_by_status).map(function (k) {
            return el('span', { 'class': 'chip ' + k, text: g.specs_by_status[k] + ' ' + STATUS[k].toLowerCase() });
          }))));
      }), { 'class': 'safeguards' }));
    s.appendChild(table(['Standard', 'Status', { label: 'Open findings', num: true }, 'Implementation specifications'],
      D.matrix.map(function (st) {
        var chips = st.specs.map(function (p) {
          return el('span', { 'class': 'chip ' + p.status, title: p.citation + ' ' + p.title + ' (' + p.requirement + '): ' + STATUS[p.status] },
            (p.requirement === 'required' ? 'R ' : 'A ') + p.title);
        });
        if (!st.specs.length) {
          chips.unshift(el('span', { 'class': 'chip ' + st.own_status, title: STATUS[st.own_status] }, (st.requirement === 'required' ? 'R ' : 'A ') + 'the standard itself'));
        } else if (st.rules.length || st.rules_not_run.length) {
          chips.unshift(el('span', { 'class': 'chip ' + st.own_status, title: 'Rules cite the standard as a whole: ' + STATUS[st.own_status] }, 'the standard as a whole'));
        }
        return el('tr', { 'data-standard': st.citation },
          td([el('code', { text: st.citation }), ' ', st.title]), td(statusBadge(st.status)),
          td(fmt(st.total_findings), 'num'), td(el('div', { 'class': 'chips' }, chips)));
      }), { 'class': 'standards' }));
  }

  // ---------------------------------------------------------------- matrix
  function rulesCell(rules, notRun) {
    var out = [];
    rules.forEach(function (c, i) {
      if (i) out.push(' ');
      out.push(el('code', { title: RULES[c] ? RULES[c].title : '', text: c }));
    });
    if (notRun.length) out.push(el('div', { 'class': 'masked-note', text: 'not run: ' + notRun.join(' ') }));
    if (!rules.length && !notRun.length) out.push(el('span', { 'class': 'masked-note', text: 'none' }));
    return out;
  }
  function countCell(n, citation) {
    if (!n) return td('0', 'num');
    return td(el('button', { 'class': 'link', 'data-filter-hipaa': citation, title: 'Show these findings',
      onclick: function () { setFilter('hipaa', citation); } , text: fmt(n) }), 'num');
  }
  function renderMatrix() {
    var s = section('matrix', 'Safeguard matrix', 'page');
    s.appendChild(el('p', { 'class': 'note', text: 'Each standard and implementation specification of 45 CFR 164.308, 164.310 and 164.312, ' +
      'the phiguard rules mapped to it, their open and waived findings, and what a scan of Kubernetes manifests cannot establish. ' +
      'A standard\'s counts include the findings of its specifications, each finding once. ' +
      'Addressable specifications must still be assessed: implemented, or an equivalent alternative documented.' }));
    ['administrative', 'physical', 'technical'].forEach(function (g) {
      var rows = D.matrix.filter(function (st) { return st.safeguard === g; });
      var info = D.safeguards.filter(function (x) { return x.title.toLowerCase().indexOf(g) === 0; })[0];
      s.appendChild(el('h3', { text: (info ? info.section + ' ' : '') + g.charAt(0).toUpperCase() + g.slice(1) + ' safeguards' }));
      var trs = [];
      rows.forEach(function (st) {
        var ownRules = (st.specs.length && !st.rules.length && !st.rules_not_run.length)
          ? el('span', { 'class': 'masked-note', text: 'see specifications' }) : rulesCell(st.rules, st.rules_not_run);
        trs.push(el('tr', { 'class': 'standard', 'data-citation': st.citation },
          td(el('code', { text: st.citation })), td(st.title), td(req(st.requirement)), td(statusBadge(st.status)),
          td(ownRules), countCell(st.total_findings, st.citation), td(fmt(st.total_waived), 'num'),
          td(st.limits, 'limits')));
        st.specs.forEach(function (p) {
          trs.push(el('tr', { 'class': 'spec', 'data-citation': p.citation },
            td(el('code', { text: p.citation })), td(p.title), td(req(p.requirement)), td(statusBadge(p.status)),
            td(rulesCell(p.rules, p.rules_not_run)), countCell(p.findings, p.citation), td(fmt(p.waived), 'num'),
            td(p.limits, 'limits')));
        });
      });
      s.appendChild(table(['Citation', 'Standard / specification', 'R/A', 'Status', 'Rules', { label: 'Open', num: true },
        { label: 'Waived', num: true }, 'What phiguard cannot check'], trs, { 'class': 'matrix', 'data-safeguard': g }));
    });
    renderOtherCitations(s);
  }

  function renderOtherCitations(s) {
    if (!D.other_citations.length) return;
    s.appendChild(el('h3', { text: 'Other sections cited' }));
    s.appendChild(el('p', { 'class': 'note', text: 'Sections outside the safeguards of 164.308, 164.310 and 164.312 that rules also cite.' }));
    s.appendChild(table(['Citation', 'Section', 'Rules', { label: 'Open', num: true }, { label: 'Waived', num: true }],
      D.other_citations.map(function (o) {
        return el('tr', { 'data-citation': o.citation }, td(el('code', { text: o.citation })), td(o.title),
          td(rulesCell(o.rules, o.rules_not_run)), countCell(o.findings, o.citation), td(fmt(o.waived), 'num'));
      }), { 'class': 'other-citations' }));
  }

  // ---------------------------------------------------------------- scope
  function renderScope() {
    var s = section('scope', 'PHI scope inventory', 'page');
    s.appendChild(el('p', { 'class': 'note', text: 'Where phiguard believes electronic protected health information is stored or processed, and why. ' +
      'Rules marked for PHI scope apply only here. Mark scope explicitly with the label phiguard.io/phi or [phi] in phiguard.toml.' }));
    s.appendChild(el('h3', { text: plural(D.scope.namespaces.length, 'namespace') + ' in PHI scope' }));
    if (D.scope.namespaces.length) {
      s.appendChild(table(['Namespace', 'Why'], D.scope.namespaces.map(function (n) {
        return el('tr', null, td(el('code', { text: n.name })), td(n.reasons.join('; ')));
      }), { 'class': 'scope-ns' }));
    } else {
      s.appendChild(el('p', { 'class': 'note', text: 'No namespace is in PHI scope. If PHI is handled here, declare the scope: the rules that apply only to PHI scope did not evaluate anything.' }));
    }
    s.appendChild(el('h3', { text: plural(D.scope.workloads.length, 'workload') + ' in PHI scope' }));
    if (D.scope.workloads.length) {
      s.appendChild(table(['Workload', 'Namespace', 'Location', 'Why', { label: 'Open findings', num: true }], D.scope.workloads.map(function (w) {
        return el('tr', null, td(w.kind + '/' + w.name), td(w.namespace || ''), td(el('span', { 'class': 'mono', text: w.file + ':' + w.line })),
          td(w.reasons.join('; ')), td(fmt(w.findings), 'num'));
      }), { 'class': 'scope-wl' }));
    }
  }

  // ---------------------------------------------------------------- findings
  var F = D.findings;
  var filterState = { severity: '', family: '', hipaa: '', namespace: '', phi: '', status: 'open', q: '' };
  var visible = [];
  var shown = 0;
  var list, countEl, printNote, moreBtn, controls = {}, searchPending = 0;

  function searchText(f) {
    if (f._s === undefined) {
      var r = RULES[f.code];
      f._s = [f.code, r ? r.title : '', r ? r.name : '', f.message, f.file + ':' + f.line, f.object || '', f.namespace || '',
        f.hipaa.join(' '), f.waiver ? f.waiver.reason + ' ' + f.waiver.owner : ''].join('\n').toLowerCase();
    }
    return f._s;
  }
  function matches(f) {
    var st = filterState;
    if (st.severity && f.severity !== st.severity) return false;
    if (st.family && f.family !== st.family) return false;
    if (st.hipaa && f.hipaa.indexOf(st.hipaa) < 0 && f.standards.indexOf(st.hipaa) < 0) return false;
    if (st.namespace && (f.namespace || '(cluster or none)') !== st.namespace) return false;
    if (st.phi === 'in' && !f.phi_scope) return false;
    if (st.phi === 'out' && f.phi_scope) return false;
    if (st.status === 'open' && f.waiver) return false;
    if (st.status === 'waived' && !f.waiver) return false;
    if (st.q) {
      var text = searchText(f);
      var terms = st.q.split(/\s+/);
      for (var i = 0; i < terms.length; i++) if (terms[i] && text.indexOf(terms[i]) < 0) return false;
    }
    return true;
  }
  // The token at a 1-based column (a key up to its colon, or a scalar), highlighted as the text output's carets do.
  function markToken(text, column) {
    var start = column - 1;
    if (start < 0 || start >= text.length) return text;
    var end = start;
    while (end < text.length && !/[\s:,}]/.test(text.charAt(end))) end++;
    if (end === start) end = start + 1;
    return [text.slice(0, start), el('mark', { text: text.slice(start, end) }), text.slice(end)];
  }
  function findingCard(f) {
    var r = RULES[f.code] || {};
    var card = el('article', { 'class': 'finding sev-' + f.severity + (f.waiver ? ' is-waived' : ''), 'data-code': f.code, 'data-fp': f.fingerprint });
    card.appendChild(el('div', { 'class': 'head' }, sevBadge(f.severity), el('span', { 'class': 'code', text: f.code }),
      el('span', { 'class': 'title', text: r.title || '' }), f.phi_scope ? el('span', { 'class': 'tag phi', text: 'PHI scope' }) : null,
      f.waiver ? el('span', { 'class': 'tag', text: 'waived' }) : null));
    card.appendChild(el('div', { 'class': 'msg', text: f.message }));
    card.appendChild(el('div', { 'class': 'meta' },
      el('span', { 'class': 'mono loc', text: f.file + ':' + f.line + ':' + f.column }),
      f.object ? el('span', { text: f.object }) : null,
      f.helm_source ? el('span', { text: 'template ' + f.helm_source }) : null,
      el('span', { text: 'HIPAA ' + f.hipaa.join(', ') })));
    if (f.snippet) {
      card.appendChild(el('pre', { 'class': 'snippet' }, el('span', { 'class': 'ln', text: f.snippet.line + ' | ' }),
        markToken(f.snippet.text, f.line === f.snippet.line ? f.column : 0)));
      if (f.snippet.masked) card.appendChild(el('div', { 'class': 'masked-note', text: 'The value on this line is masked: it may hold a credential or PHI.' }));
    }
    (f.related || []).forEach(function (x) { card.appendChild(el('div', { 'class': 'related', text: 'note: ' + x })); });
    if (r.remediation) {
      card.appendChild(el('div', { 'class': 'fix' }, el('b', { text: 'Fix: ' }), inline(firstSentence(r.remediation)), ' ',
        el('a', { href: '#rule-' + f.code, 'class': 'no-print', text: 'Full remediation' })));
    }
    if (f.waiver) {
      card.appendChild(el('div', { 'class': 'waiver' }, el('b', { text: 'Waived' }), ' by ' + f.waiver.owner +
        (f.waiver.expires ? ' until ' + f.waiver.expires : ' (no expiry)') + ' via ' + f.waiver.origin + ': ' + f.waiver.reason));
    }
    return card;
  }
  function renderMore(n) {
    var frag = document.createDocumentFragment();
    var end = Math.min(visible.length, shown + n);
    for (var i = shown; i < end; i++) frag.appendChild(findingCard(F[visible[i]]));
    list.appendChild(frag);
    shown = end;
    moreBtn.style.display = shown < visible.length ? '' : 'none';
    moreBtn.textContent = 'Show ' + fmt(Math.min(CHUNK, visible.length - shown)) + ' more (' + fmt(visible.length - shown) + ' not shown)';
  }
  function applySearch() {
    searchPending = 0;
    filterState.q = controls.q.value.trim().toLowerCase();
    applyFilters();
  }
  function applyFilters() {
    visible = [];
    for (var i = 0; i < F.length; i++) if (matches(F[i])) visible.push(i);
    list.textContent = '';
    shown = 0;
    countEl.textContent = 'Showing ' + fmt(visible.length) + ' of ' + plural(F.length, 'finding') +
      ' (' + fmt(D.summary.findings) + ' open, ' + fmt(D.summary.waived) + ' waived).';
    countEl.setAttribute('data-visible', String(visible.length));
    var active = Object.keys(filterState).filter(function (k) { return filterState[k] && !(k === 'status' && filterState[k] === 'open'); })
      .map(function (k) { return k + ' = ' + filterState[k]; });
    printNote.textContent = countEl.textContent + (active.length ? ' Filters: ' + active.join(', ') + '.' : '');
    renderMore(FIRST_CHUNK);
    performance.mark('phiguard:filter-applied');
  }
  function setFilter(key, value) {
    filterState[key] = value;
    if (controls[key]) controls[key].value = value;
    if (key === 'hipaa') { filterState.status = 'all'; controls.status.value = 'all'; }
    applyFilters();
    document.getElementById('findings').scrollIntoView();
  }
  function select(key, label, options) {
    var s = el('select', { name: key, 'data-filter': key }, options.map(function (o) {
      if (o.group) return el('optgroup', { label: o.group }, o.items.map(function (x) { return el('option', { value: x[0], text: x[1] }); }));
      return el('option', { value: o[0], text: o[1] });
    }));
    s.value = filterState[key];
    s.addEventListener('change', function () { filterState[key] = s.value; applyFilters(); });
    controls[key] = s;
    return el('label', null, label, s);
  }
  function distinct(fn) {
    var m = {};
    F.forEach(function (f) { var v = fn(f); m[v] = (m[v] || 0) + 1; });
    return Object.keys(m).sort().map(function (k) { return [k, m[k]]; });
  }
  function renderFindings() {
    var s = section('findings', 'Findings', 'page');
    var fams = distinct(function (f) { return f.family; });
    var nss = distinct(function (f) { return f.namespace || '(cluster or none)'; });
    var cits = {};
    F.forEach(function (f) { f.standards.concat(f.hipaa).forEach(function (c) { cits[c] = true; }); });
    var hipaaOpts = [['', 'All sections']];
    D.matrix.forEach(function (st) {
      var items = [];
      if (cits[st.citation]) items.push([st.citation, st.citation + ' ' + st.title]);
      st.specs.forEach(function (p) { if (cits[p.citation]) items.push([p.citation, p.citation + ' ' + p.title]); });
      if (items.length) hipaaOpts.push({ group: st.citation + ' ' + st.title, items: items });
    });
    var others = D.other_citations.filter(function (o) { return cits[o.citation]; })
      .map(function (o) { return [o.citation, o.citation + ' ' + o.title]; });
    if (others.length) hipaaOpts.push({ group: 'Other sections', items: others });
    var q = el('input', { type: 'search', name: 'q', 'data-filter': 'q', placeholder: 'code, message, file, object, citation\u2026' });
    q.addEventListener('input', function () {
      if (searchPending) cancelAnimationFrame(searchPending);
      searchPending = requestAnimationFrame(applySearch);
    });
    controls.q = q;
    var reset = el('button', { type: 'button', text: 'Reset', onclick: function () {
      filterState = { severity: '', family: '', hipaa: '', namespace: '', phi: '', status: 'open', q: '' };
      Object.keys(controls).forEach(function (k) { controls[k].value = filterState[k]; });
      applyFilters();
    } });
    s.appendChild(el('div', { 'class': 'filters' },
      select('severity', 'Severity', [['', 'All']].concat(SEV.map(function (x) { return [x, x]; }))),
      select('family', 'Family', [['', 'All']].concat(fams.map(function (x) {
        var r = D.rules.filter(function (y) { return y.family === x[0]; })[0];
        return [x[0], x[0] + (r ? ' ' + r.family_title : '') + ' (' + x[1] + ')'];
      }))),
      select('hipaa', 'HIPAA section', hipaaOpts),
      select('namespace', 'Namespace', [['', 'All']].concat(nss.map(function (x) { return [x[0], x[0] + ' (' + x[1] + ')']; }))),
      select('phi', 'PHI scope', [['', 'All'], ['in', 'In PHI scope'], ['out', 'Outside PHI scope']]),
      select('status', 'Status', [['open', 'Open'], ['waived', 'Waived'], ['all', 'Open and waived']]),
      el('label', null, 'Search', q), reset));
    countEl = el('div', { id: 'result-count' });
    s.appendChild(countEl);
    printNote = el('p', { 'class': 'print-only note', id: 'print-note' });
    s.appendChild(printNote);
    list = el('div', { id: 'finding-list' });
    s.appendChild(list);
    moreBtn = el('button', { id: 'more', type: 'button', onclick: function () { renderMore(CHUNK); } });
    s.appendChild(moreBtn);
    if ('IntersectionObserver' in window) {
      new IntersectionObserver(function (entries) {
        if (entries[0].isIntersecting && shown < visible.length) renderMore(CHUNK);
      }, { rootMargin: '800px' }).observe(moreBtn);
    }
    applyFilters();
  }

  // ---------------------------------------------------------------- optional analyses
  function renderAnalysis(id, a) {
    if (!a) return;
    var s = section(id, a.title, 'page');
    if (a.summary.length) {
      s.appendChild(el('dl', { 'class': 'kv' }, a.summary.map(function (kv) { return [el('dt', { text: kv[0] }), el('dd', { text: kv[1] })]; })));
    }
    a.notes.forEach(function (n) { s.appendChild(el('div', { 'class': 'note' }, markdown(n))); });
    var sc = a.status_column;
    s.appendChild(table(a.columns, a.rows.map(function (r) {
      var st = sc === null || sc === undefined ? null : r[sc];
      return el('tr', st ? { 'data-status': st, 'class': 'analysis-' + st.replace(/ /g, '-') } : null, r.map(function (c, i) {
        return i === sc ? td(el('b', { text: c })) : td(c);
      }));
    }), { 'class': 'analysis' }));
  }
  function renderTrend() {
    var t = D.trend;
    if (!t) return;
    var s = section('trend', 'Posture over time', 'page');
    s.appendChild(el('p', { 'class': 'note', text: plural(t.points.length, 'scan') + ', oldest first: open findings per severity and per HIPAA standard.' }));
    // The charts are SVG markup generated by phiguard from numbers and escaped labels.
    var box = el('div', { 'class': 'charts' });
    box.innerHTML = t.severity_svg + t.standard_svg;
    s.appendChild(box);
    var stds = {};
    t.points.forEach(function (p) { Object.keys(p.by_standard).forEach(function (k) { stds[k] = true; }); });
    stds = Object.keys(stds);
    s.appendChild(table(['Time', 'Source'].concat(SEV.map(function (x) { return { label: x, num: true }; }))
      .concat(stds.map(function (x) { return { label: x, num: true }; })),
      t.points.map(function (p) {
        return el('tr', null, td(p.time), td(p.source), SEV.map(function (x) { return td(fmt(p.by_severity[x] || 0), 'num'); }),
          stds.map(function (x) { return td(fmt(p.by_standard[x] || 0), 'num'); }));
      }), { 'class': 'trend-table' }));
  }
  function renderErrors() {
    if (!D.errors.length) return;
    var s = section('errors', 'Input errors');
    s.appendChild(el('p', { 'class': 'note', text: 'These inputs could not be read or parsed in full; objects in them were not checked.' }));
    s.appendChild(el('ul', null, D.errors.map(function (e) { return el('li', { 'class': 'mono', text: e }); })));
  }
  function renderRules() {
    var s = section('rules', 'Rules run', 'page');
    s.appendChild(table(['Code', 'Severity', 'Rule', 'HIPAA', 'Remediation'], D.rules.map(function (r) {
      return el('tr', { 'data-rule': r.code, id: 'rule-' + r.code }, td(el('code', { text: r.code })), td(sevBadge(r.severity)),
        td([el('b', { text: r.title }), el('div', { 'class': 'masked-note', text: r.name })]), td(r.hipaa.join(', ')),
        td(markdown(r.remediation), 'remediation'));
    })));
  }
  function renderProvenance() {
    var p = D.provenance;
    var s = section('provenance', 'Provenance', 'page');
    s.appendChild(el('p', { 'class': 'note', text: 'What this report was computed from. Recompute the SHA-256 digests of the inputs to tie the report to them.' }));
    s.appendChild(el('dl', { 'class': 'kv' },
      el('dt', { text: 'phiguard version' }), el('dd', { 'data-k': 'version', text: p.version }),
      el('dt', { text: 'Generated' }), el('dd', { 'data-k': 'generated_at', text: p.generated_at }),
      el('dt', { text: 'Configuration' }), el('dd', { text: p.config_file || 'none (defaults)' }),
      el('dt', { text: 'Configuration SHA-256' }), el('dd', { 'class': 'mono', text: p.config_sha256 || '(no configuration file)' }),
      el('dt', { text: 'Rules run' }), el('dd', { 'class': 'mono', text: p.rules.join(' ') })));
    s.appendChild(table(['Input', { label: 'Bytes', num: true }, 'SHA-256'], p.inputs.map(function (i) {
      return el('tr', null, td(el('span', { 'class': 'mono', text: i.name })), td(fmt(i.bytes), 'num'), td(el('span', { 'class': 'mono', text: i.sha256 })));
    }), { 'class': 'inputs' }));
  }

  renderSummary();
  renderMatrix();
  renderScope();
  renderFindings();
  renderAnalysis('segmentation', D.segmentation);
  renderAnalysis('rbac', D.rbac);
  renderTrend();
  renderErrors();
  renderRules();
  renderProvenance();
  document.body.setAttribute('data-ready', '1');
  performance.mark('phiguard:first-render');

  // Prepare the search text in idle time, a slice at a time, so that the first search does not have to.
  (function prepare(from) {
    var idle = window.requestIdleCallback || function (cb) { return setTimeout(cb, 1); };
    idle(function () {
      var end = Math.min(F.length, from + 2000);
      for (var i = from; i < end; i++) searchText(F[i]);
      if (end < F.length) prepare(end);
    });
  })(0);

  window.addEventListener('beforeprint', function () {
    // A search typed just before printing has not been applied yet: apply it now.
    if (searchPending) { cancelAnimationFrame(searchPending); applySearch(); }
    if (shown < visible.length) renderMore(visible.length - shown);
  });
  window.phiguard = { data: D, applyFilters: applyFilters, setFilter: setFilter };
})();
