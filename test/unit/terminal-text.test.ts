// Text for a terminal: control characters in data are written visibly, our own styles are not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTerminal, styled, terminalLines, terminalSafe } from '../../src/core/text/terminalText';

describe('terminalSafe', () => {
  it('writes C0 controls, DEL and C1 controls visibly, in lowercase hex', () => {
    assert.equal(terminalSafe('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
    assert.equal(terminalSafe('a\x00b\x08c\x0bd\x0ce\x1ff\x7f'), 'a\\x00b\\x08c\\x0bd\\x0ce\\x1ff\\x7f');
    assert.equal(terminalSafe('\u0080\u009b2J\u009d8;;x\u009c\u009f'), '\\u0080\\u009b2J\\u009d8;;x\\u009c\\u009f');
  });

  it('covers every code point a terminal acts on, and nothing else below U+00A0', () => {
    for (let code = 0; code < 0xa0; code++) {
      const char = String.fromCharCode(code);
      const kept = char === '\n' || char === '\t' || (code >= 0x20 && code < 0x7f);
      assert.equal(terminalSafe(char) === char, kept, `U+${code.toString(16).padStart(4, '0')}`);
    }
    assert.equal(terminalSafe('é ✓ 🚀 \u00a0'), 'é ✓ 🚀 \u00a0');
  });

  it('keeps newlines, tabs and CRLF line ends; a lone CR (which overwrites the line) is escaped', () => {
    assert.equal(terminalSafe('one\ntwo\tcols\r\nthree'), 'one\ntwo\tcols\r\nthree');
    assert.equal(terminalSafe('progress 10%\rdone'), 'progress 10%\\x0ddone');
    assert.equal(terminalSafe('end\r'), 'end\\x0d');
    assert.equal(terminalSafe('\r\r\n'), '\\x0d\r\n');
  });

  it('changes nothing in safe text, so escaping twice is escaping once', () => {
    const hostile = '\x1b[2J\u009bH\rx\x07';
    assert.equal(terminalSafe(terminalSafe(hostile)), terminalSafe(hostile));
    assert.equal(terminalSafe('plain \\x1b text'), 'plain \\x1b text');
  });
});

describe('renderTerminal', () => {
  it('colors our styled spans only when asked, and escapes the text inside them too', () => {
    const text = ['HEAD 0123 ', styled('1;31', 'ERROR \x1b]0;x\x07'), ' tail \x1b[2J'];
    assert.equal(renderTerminal(text, { color: true }), 'HEAD 0123 \x1b[1;31mERROR \\x1b]0;x\\x07\x1b[0m tail \\x1b[2J');
    assert.equal(renderTerminal(text, { color: false }), 'HEAD 0123 ERROR \\x1b]0;x\\x07 tail \\x1b[2J');
  });

  it('a style is SGR parameters only: anything else is left out, not written', () => {
    assert.equal(renderTerminal(styled('0m\x1b]0;x\x07', 'text'), { color: true }), 'text');
  });

  it('nests lists and joins lines', () => {
    assert.equal(renderTerminal(terminalLines(['a', [styled('32', 'b'), 'c'], 'd\x07']), { color: true }), 'a\n\x1b[32mb\x1b[0mc\nd\\x07');
    assert.equal(renderTerminal(terminalLines([]), { color: true }), '');
  });
});
