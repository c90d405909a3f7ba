import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseExposition, sample } from './prometheus-text.js'

const test = suite('test > helpers > prometheus-text')

test('parses labels with escapes, histograms per label set, special values', () => {
  const f = parseExposition([
    '# HELP a_total A.', '# TYPE a_total counter', 'a_total{x="q\\"uo\\\\te\\n",y="2"} 3', 'a_total 1.5e3 1700000000000',
    '# HELP h_seconds H.', '# TYPE h_seconds histogram',
    'h_seconds_bucket{le="0.1",s="a"} 1', 'h_seconds_bucket{le="+Inf",s="a"} 2', 'h_seconds_sum{s="a"} 0.3', 'h_seconds_count{s="a"} 2',
    'h_seconds_bucket{le="0.1",s="b"} 0', 'h_seconds_bucket{le="+Inf",s="b"} 0', 'h_seconds_sum{s="b"} 0', 'h_seconds_count{s="b"} 0',
    '# HELP g G.', '# TYPE g gauge', 'g NaN', '',
  ].join('\n'))
  assert.is(sample(f, 'a_total', { x: 'q"uo\\te\n' }), 3)
  assert.is(sample(f, 'a_total', {}), 3)
  assert.is(f.get('a_total')!.samples[1].value, 1500)
  assert.is(sample(f, 'h_seconds', { s: 'a' }), 2)
  assert.is(sample(f, 'h_seconds', { s: 'b' }), 0)
  assert.ok(Number.isNaN(sample(f, 'g')!))
})

test('refuses what Prometheus would refuse or what breaks conventions', () => {
  const bad = [
    '# HELP a A.\n# TYPE a counter\na 1\n',                                 // counter without _total
    '# HELP a_total A.\n# TYPE a_total counter\nb_total 1\n',               // sample outside its family
    '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1} 1\n',         // unterminated label
    '# HELP a_total A.\n# TYPE a_total counter\na_total one\n',             // invalid value
    '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
    '# HELP h H.\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', // +Inf != count
    '# TYPE g gauge\ng 1\n',                                                 // no HELP
    '# HELP d_ms D.\n# TYPE d_ms gauge\nd_ms 1\n',                           // not base units
  ]
  for (const text of bad) assert.throws(() => parseExposition(text), undefined, text)
})

test.run()
