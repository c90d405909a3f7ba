/**
 * Hand-picked expressions around jsonata's subtle corners (flattening, keep-array, singleton
 * sequences, number formatting, grouping, undefined propagation, sorting), evaluated against the
 * suite's datasets by the differential test on both paths.
 */
export const TRICKY: readonly { expr: string; dataset: string }[] = [
  ...[
    'Account.Order.Product.SKU', 'Account.Order.Product[0].SKU', 'Account.Order[0].Product[].SKU', 'Account.Order.Product.SKU[]',
    'Account.Order.Product[-1]', 'Account.Order[1].Product[Price > 30].`Product Name`', 'Account.Order.Product[[0,1]].Price',
    'Account.Order.Product{SKU: Price}', 'Account.Order.Product{`Product Name`: $sum(Price)}', 'Account.Order{OrderID: Product.Price}',
    'Account.Order.{"id": OrderID, "total": $sum(Product.(Price * Quantity))}', 'Account.Order.Product^(>Price, SKU).SKU',
    'Account.Order.Product^(Description.Weight).Price', '$sort(Account.Order.Product, function($a, $b) { $a.Price < $b.Price }).SKU',
    'Account.Order.Product.Description.*', 'Account.**.Colour', '**[Price > 30].SKU', 'Account.*.Product.ProductID',
    '$count(Account.Order.Product)', '$string(Account.Order[0].Product[0].Description, true)', '$string(Account.Order[0].Product[0])',
    'Account.Order.Product.(Price * Quantity)', '$sum(Account.Order.Product.(Price * Quantity)) & ""', '$average(Account.Order.Product.Price)',
    'Account.Order[0].Product[0].Price / 3 & ""', '$round(Account.Order.Product[0].Price * 1.005, 2)', '$keys(Account.Order.Product)',
    '$distinct(Account.Order.Product.Description.Colour)', '$lookup(Account.Order.Product, "SKU")', '$spread(Account.Order[0].Product[0].Description)',
    '$merge(Account.Order.Product.Description)', 'Account.Order.Product.Price[$ > 30]', 'Account.Order.Product[Quantity > 1 and Price < 100].SKU',
    'Account.Order.Product[$contains(`Product Name`, "Hat")]', 'Account.Order.Product.`Product Name` ~> $join(", ")',
    '[Account.Order.Product.Price, Account.Order.OrderID][3]', '[[Account.Order.OrderID]]', '[Account.Order.OrderID][]',
    'Account.Order[0].Product[0].Nothing.Deeper', 'Account.Order.Product.Price > 100', 'Account.Order[0].OrderID in Account.Order.OrderID',
    '$reduce(Account.Order.Product.Price, function($a, $b) { $a > $b ? $a : $b })', '$map(Account.Order, function($o, $i) { $i & ":" & $o.OrderID })',
    '$filter(Account.Order.Product, function($p) { $p.Quantity = 1 }).SKU', 'Account.Order.Product.{"w": Description.Weight}[w > 1]',
    '($o := Account.Order; $o[1].Product.SKU)', 'Account.Order.($count(Product))', 'Account.Order.Product.$string(ProductID)',
    'Account.Order.Product.Price.$floor($)', '$.Account.`Account Name`', '$$.Account.Order[0].OrderID',
    'Account.Order.Product[SKU = "0406654608"][0].Price', 'Account.Order.Product.Price ~> $max()', '-Account.Order[0].Product[0].Price',
    'Account.Order.Product[[0..1]]', '[1..3].(Account.Order[0].OrderID & $)', 'Account.Order{OrderID: $count(Product)}.*',
  ].map((expr) => ({ expr, dataset: 'dataset5' })),
  ...[
    '$', '$[0]', '$[1].foo', '$[]', '$.foo', '*', '**', '$string($)', '$count($)', 'foo.bar', '$[foo].bar', '$.*[0]',
  ].flatMap((expr) => ['dataset0', 'dataset1', 'dataset2', 'dataset3', 'dataset4', 'dataset6', 'dataset7', 'dataset8'].map((dataset) => ({ expr, dataset }))),
  ...[
    '1e21 & ""', '0.1 + 0.2 & ""', '-0 & ""', '1/3 & ""', '$string(1e-7)', '$string(123456789012345678)', '$string([1.1, {"a": 2/3}])',
    '$number("0x1F")', '$number("1e3")', '$number("-0.5")', '$round(2.5)', '$round(-2.5)', '$round(3.14159, 3)', '$round(1234, -2)',
    '$string(null)', 'nothing.a', '[null, undefined, 1]', 'null = null', 'nothing = nothing', 'nothing != 1', '[] = []', '{} = {}',
    '{"a": [1, 2]} = {"a": [1, 2]}', '"a" < "b"', '$substring("héllo wörld", -5, 3)', '$length("😀x")', '$pad("x", -5, "ab")',
    '$trim("  a \\n b  ")', '$split("a,b,,c", ",", 2)', '$join(["a", "b"])', '$replace("aXbXc", "X", "-", 1)', '$uppercase(nothing)',
    '$boolean([0, ""])', '$boolean([[]])', '$not({})', '$exists(nothing)', '$append(1, [2, 3])', '$append([], nothing)', '$reverse([1])',
    '$zip([1, 2], [3])', '$sum([])', '$max([])', '$count(nothing)', '$average([1, 2])', '$abs(-0)', '$sqrt(2) & ""', '$power(2, 0.5)',
    '{"a": 1}.a[]', '[1, [2, [3]]].$', '[1, [2, [3]]][1]', '[[1, 2], [3]][0][1]', '($x := [1, 2, 3]; $x[$ > 1])', '[1, 2, 3][-1]',
    '[1, 2, 3][[0, 2]]', '[1, 2, 3][true]', '[1, 2, 3][1.7]', '"abc"[0]', '(1; 2; 3)', '($a := 1; ($a := 2); $a)',
    '(function($x) { $x * 2 })(3)', '$map([1, 2], function($v, $i, $a) { $count($a) + $i })', '[1, 2, 3] ~> $sum()',
    '($inc := function($x) { $x + 1 }; ($inc ~> $inc)(1))', '$sort(["b", "a", "C"])', '$sort([3, 1, 2], function($a, $b) { $a < $b })',
    '{"a": 1, "b": nothing}', '{"a": 1}.{"b": a}', '[{"a": 1}, {"a": 2}]{"k": a}', '[{"k": "x", "v": 1}, {"k": "x", "v": 2}]{k: v}',
    '[{"k": "x", "v": 1}, {"k": "x", "v": 2}]{k: $sum(v)}', '$type([])', '$type(function() { 1 })', '$string(function() { 1 })',
    '"a" & [1, 2] & {"b": true}', '[1, 2] in [[1, 2]]', '1 in [1, 2]', '"1" in [1, 2]', 'true and []', '[] or [0]',
    '$keys({"b": 1, "a": 2, "1": 3})', '$each({"a": 1, "b": 2}, function($v, $k) { $k & $v })', '$sift({"a": 1, "b": 2}, function($v) { $v > 1 })',
    '$single([1, 2, 3], function($v) { $v = 2 })', '$formatNumber(1234.5678, "#,##0.00")', '$formatBase(255, 16)', '$fromMillis(0)',
    '$toMillis("1970-01-01T00:00:01Z")', '$match("a1b22", /[0-9]+/)', '$replace("a1b22", /([0-9]+)/, "<$1>")', '$split("a1b22c", /[0-9]+/)',
    '$contains("abc", /B/i)', '$string({"a": 1/3})', '$string(0.1 + 0.2)', '[1..5][$ % 2 = 0]', '$count([1..10000])',
  ].map((expr) => ({ expr, dataset: 'dataset0' })),
]
