// The number and character formats the views print (www/views/format.js): invisible characters made visible and
// spoken, no "-0.000", a real minus sign, compact probabilities and integers, each at its boundaries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charName, compactInt, displayChar, fmt, fmtAuto, fmtProb, fmtProbShort, fmtTick } from '../../www/views/format.js';

const MINUS = '\u2212';

test('displayChar: whitespace and control characters get a visible glyph; others are themselves', () => {
  assert.equal(displayChar(' '), '␣');
  assert.equal(displayChar('\n'), '↵');
  assert.equal(displayChar('\t'), '⇥');
  assert.equal(displayChar('\r'), '␍');
  assert.equal(displayChar('\0'), '␀');
  assert.equal(displayChar('\x1b'), '␛');
  assert.equal(displayChar('\x1f'), '␟');
  assert.equal(displayChar('\x7f'), '␡');
  assert.equal(displayChar('\x80'), '·');
  assert.equal(displayChar('\x9f'), '·');
  assert.equal(displayChar('\xa0'), '\xa0');
  assert.equal(displayChar('a'), 'a');
  assert.equal(displayChar('😀'), '😀');
  assert.equal(displayChar(''), '∅');
  assert.equal(displayChar(undefined), '∅');
  assert.equal(displayChar(null), '∅');
});

test('charName: spoken names, code points for control characters, quotes around the rest', () => {
  assert.equal(charName(' '), 'space');
  assert.equal(charName('\n'), 'newline');
  assert.equal(charName('\t'), 'tab');
  assert.equal(charName('\r'), 'carriage return');
  assert.equal(charName('\x01'), 'U+0001');
  assert.equal(charName('\x7f'), 'U+007F');
  assert.equal(charName('a'), '"a"');
  assert.equal(charName("'"), '"\'"');
  assert.equal(charName(''), 'none');
  assert.equal(charName(null), 'none');
});

test('fmt: fixed decimals, a real minus sign, never a negative zero; NaN and infinities by symbol', () => {
  assert.equal(fmt(1.23456), '1.235');
  assert.equal(fmt(1.23456, 1), '1.2');
  assert.equal(fmt(2, 0), '2');
  assert.equal(fmt(-1.5), `${MINUS}1.500`);
  assert.equal(fmt(-0.0004), '0.000');
  assert.equal(fmt(-0), '0.000');
  assert.equal(fmt(-0.4, 0), '0');
  assert.equal(fmt(-0.0005), `${MINUS}0.001`);
  assert.equal(fmt(NaN), '–');
  assert.equal(fmt(undefined), '–');
  assert.equal(fmt(null), '–');
  assert.equal(fmt(Infinity), '∞');
  assert.equal(fmt(-Infinity), `${MINUS}∞`);
});

test('fmtProbShort: two decimals without the zero, 1.0 from 0.995, <.01 below 0.005, 0 for none', () => {
  assert.equal(fmtProbShort(0.93), '.93');
  assert.equal(fmtProbShort(0.05), '.05');
  assert.equal(fmtProbShort(0.994), '.99');
  assert.equal(fmtProbShort(0.995), '1.0');
  assert.equal(fmtProbShort(1), '1.0');
  assert.equal(fmtProbShort(0.0051), '.01');
  assert.equal(fmtProbShort(0.0049), '<.01');
  assert.equal(fmtProbShort(1e-30), '<.01');
  assert.equal(fmtProbShort(0), '0');
  assert.equal(fmtProbShort(-0.1), '0');
  assert.equal(fmtProbShort(NaN), '–');
});

test('fmtProb: four decimals, scientific below 0.001, zero as zero', () => {
  assert.equal(fmtProb(0.93124), '0.9312');
  assert.equal(fmtProb(0.001), '0.0010');
  assert.equal(fmtProb(0.00099), '9.9e-4');
  assert.equal(fmtProb(3.2e-5), '3.2e-5');
  assert.equal(fmtProb(0), '0.0000');
  assert.equal(fmtProb(1), '1.0000');
  assert.equal(fmtProb(NaN), '–');
});

test('fmtAuto: digits by magnitude, thousands separated, scientific for the very large and small', () => {
  assert.equal(fmtAuto(12345), '12,345');
  assert.equal(fmtAuto(-12345), `${MINUS}12,345`);
  assert.equal(fmtAuto(1000), '1,000');
  assert.equal(fmtAuto(999.94), '999.9');
  assert.equal(fmtAuto(123.456), '123.5');
  assert.equal(fmtAuto(12.3456), '12.35');
  assert.equal(fmtAuto(1.23456), '1.235');
  assert.equal(fmtAuto(0.001), '0.001');
  assert.equal(fmtAuto(0), '0');
  assert.equal(fmtAuto(999999), '999,999');
  assert.equal(fmtAuto(1e6), '1.00e+6');
  assert.equal(fmtAuto(-2.5e7), `${MINUS}2.50e+7`);
  assert.equal(fmtAuto(NaN), '–');
  assert.equal(fmtAuto(Infinity), '∞');
  assert.equal(fmtAuto(-Infinity), `${MINUS}∞`);
});

test('fmtAuto: small numbers in scientific form as documented, 0.000123 → "1.23e-4", the exponent\'s sign alike for both signs', () => {
  assert.equal(fmtAuto(0.000123), '1.23e-4');
  assert.equal(fmtAuto(-0.000123), `${MINUS}1.23e-4`);
});

test('fmtTick: just enough decimals for the tick step; compact integers from 100,000', () => {
  assert.equal(fmtTick(0.25, 0.05), '0.25');
  assert.equal(fmtTick(0.2, 0.1), '0.2');
  assert.equal(fmtTick(3, 1), '3');
  assert.equal(fmtTick(40, 20), '40');
  assert.equal(fmtTick(2.5, 0.5), '2.5');
  assert.equal(fmtTick(-0.00001, 0.1), '0.0', 'a tick at a rounding error below zero');
  assert.equal(fmtTick(0.000001, 1e-7), '0.000001', 'at most six decimals');
  assert.equal(fmtTick(99999, 1), '99999');
  assert.equal(fmtTick(100000, 50000), '100k');
  assert.equal(fmtTick(-1500000, 500000), `${MINUS}1.5M`);
});

test('compactInt: plain below 10,000, thousands as k (one decimal below 100k), millions as M', () => {
  assert.equal(compactInt(950), '950');
  assert.equal(compactInt(9999), '9999');
  assert.equal(compactInt(10000), '10k');
  assert.equal(compactInt(12500), '12.5k');
  assert.equal(compactInt(12000), '12k');
  assert.equal(compactInt(150000), '150k');
  assert.equal(compactInt(1000000), '1M');
  assert.equal(compactInt(1500000), '1.5M');
  assert.equal(compactInt(2040000), '2M');
  assert.equal(compactInt(-12000), `${MINUS}12k`);
  assert.equal(compactInt(12.6), '13');
});

test('compactInt: a value that rounds up to the next unit is written in it (999,999 → "1M", not "1000k")', () => {
  assert.equal(compactInt(999_999), '1M');
  assert.equal(compactInt(999_500), '1M');
});
