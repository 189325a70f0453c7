;; Products of feature rows with a class table, in WebAssembly SIMD (f32x4). Source of the kernel
;; src/engine/learners/kernel/loader.ts loads; scripts/build.mjs assembles it with wabt.
;;
;; A row is a dense word block (wd floats) and a sparse char block (entries idx[p], val[p] for p in
;; off[i]..off[i+1]). Column j of the features is row j of the table: T is (wd + charDim) x cp,
;; row-major, cp (the classes, padded) a multiple of 4. All pointers are byte offsets, 16-aligned.
;;
;; spmm:  out[i, :] = ws[i] sum_j word[i, j] T[j, :] + cs[i] sum_p val[p] T[wd + idx[p], :]   (n x cp)
;;        with per-row scales ws and cs (pointer 0: no scaling)
;; scoreRows: the same product on lines as encoded, with the view's centring and scales (below)
;; spmmT: G[j, :] += word[i, j] R[i, :];  G[wd + idx[p], :] += val[p] R[i, :]   for every row i
;;        (the transposed product; a group of 16 or 4 classes whose residuals R are all zero is skipped)
;;
;; Classes go in groups of 16 (four f32x4 accumulators held in locals while the row's entries stream
;; past), then groups of 4 for what is left; each group is one pass over the row's entries.
;;
;; The memory is shared: a second thread runs the same functions on another part of the rows
;; (scope.ts splits a large product in two), so the module imports it.
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "zero") (param $ptr i32) (param $bytes i32)
    (memory.fill (local.get $ptr) (i32.const 0) (local.get $bytes)))

  ;; dst[j * dstStride + i] = src[i * srcStride + j] for i < rows, j < cols (floats; strides in floats):
  ;; a head's rows (classes x dim) into a table's columns and back.
  (func (export "transpose")
    (param $src i32) (param $srcStride i32) (param $rows i32) (param $cols i32) (param $dst i32) (param $dstStride i32)
    (local $i i32) (local $j i32) (local $s i32) (local $d i32)
    (block $iDone (loop $il
      (br_if $iDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $i) (local.get $srcStride)) (i32.const 2))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $jDone (loop $jl
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $cols)))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.shl (local.get $dstStride) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il))))

  ;; out[i] = sum_j src[i * srcStride + j] vec[j] for i < rows, j < cols, summed in float64: a head's
  ;; rows against a centre (W_char . mu, W_word . u).
  (func (export "rowDots")
    (param $src i32) (param $srcStride i32) (param $rows i32) (param $cols i32) (param $vec i32) (param $out i32)
    (local $i i32) (local $j i32) (local $s i32) (local $acc f64)
    (block $iDone (loop $il
      (br_if $iDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $i) (local.get $srcStride)) (i32.const 2))))
      (local.set $acc (f64.const 0))
      (local.set $j (i32.const 0))
      (block $jDone (loop $jl
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $acc (f64.add (local.get $acc) (f64.mul
          (f64.promote_f32 (f32.load (i32.add (local.get $s) (i32.shl (local.get $j) (i32.const 2)))))
          (f64.promote_f32 (f32.load (i32.add (local.get $vec) (i32.shl (local.get $j) (i32.const 2))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (f32.demote_f64 (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il))))

  ;; dst[k] += src[k], then src[k] = 0, for k < count (a multiple of 4): a second part's partial sums
  ;; folded into the first's, leaving the spare zeroed for the next product.
  (func (export "addInto") (param $dst i32) (param $src i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (v128.store (local.get $src) (v128.const i32x4 0 0 0 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l))))

  ;; One row's scores: out[o..o+cp) = wScale sum_j x[j] T[j, :] + cScale sum_q val[q] T[wd + idx[q], :],
  ;; the row's word block at x (wd floats), its char entries q in qBegin..qEnd.
  (func $row
    (param $x0 i32) (param $wd i32) (param $qBegin i32) (param $qEnd i32) (param $idx i32) (param $val i32)
    (param $wScale v128) (param $cScale f32) (param $T i32) (param $cp i32) (param $o i32)
    (local $c0 i32) (local $stride i32) (local $col i32)
    (local $x i32) (local $xEnd i32) (local $t i32) (local $q i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $charT i32)
    (local.set $stride (i32.shl (local.get $cp) (i32.const 2)))
    ;; the char block's rows start after the word block's
    (local.set $charT (i32.add (local.get $T) (i32.mul (local.get $wd) (local.get $stride))))
    (local.set $xEnd (i32.add (local.get $x0) (i32.shl (local.get $wd) (i32.const 2))))
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.ge_u (local.get $c0) (local.get $cp)))
        (local.set $col (i32.shl (local.get $c0) (i32.const 2)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $x (local.get $x0))
        (local.set $t (i32.add (local.get $T) (local.get $col)))
        (local.set $q (local.get $qBegin))
        (if (i32.le_u (i32.add (local.get $c0) (i32.const 16)) (local.get $cp))
          (then
            (block $wDone
              (loop $w
                (br_if $wDone (i32.ge_u (local.get $x) (local.get $xEnd)))
                (local.set $v (f32x4.splat (f32.load (local.get $x))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load offset=0 (local.get $t)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (v128.load offset=16 (local.get $t)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (v128.load offset=32 (local.get $t)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (v128.load offset=48 (local.get $t)))))
                (local.set $x (i32.add (local.get $x) (i32.const 4)))
                (local.set $t (i32.add (local.get $t) (local.get $stride)))
                (br $w)))
            (local.set $a0 (f32x4.mul (local.get $a0) (local.get $wScale)))
            (local.set $a1 (f32x4.mul (local.get $a1) (local.get $wScale)))
            (local.set $a2 (f32x4.mul (local.get $a2) (local.get $wScale)))
            (local.set $a3 (f32x4.mul (local.get $a3) (local.get $wScale)))
            (block $cDone
              (loop $c
                (br_if $cDone (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $t (i32.add (i32.add (local.get $charT) (local.get $col))
                  (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $q) (i32.const 2)))) (local.get $stride))))
                (local.set $v (f32x4.splat (f32.mul (local.get $cScale) (f32.load (i32.add (local.get $val) (i32.shl (local.get $q) (i32.const 2)))))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load offset=0 (local.get $t)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (v128.load offset=16 (local.get $t)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (v128.load offset=32 (local.get $t)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (v128.load offset=48 (local.get $t)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $c)))
            (v128.store offset=0 (local.get $o) (local.get $a0))
            (v128.store offset=16 (local.get $o) (local.get $a1))
            (v128.store offset=32 (local.get $o) (local.get $a2))
            (v128.store offset=48 (local.get $o) (local.get $a3))
            (local.set $o (i32.add (local.get $o) (i32.const 64)))
            (local.set $c0 (i32.add (local.get $c0) (i32.const 16))))
          (else
            (block $wDone4
              (loop $w4
                (br_if $wDone4 (i32.ge_u (local.get $x) (local.get $xEnd)))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (f32x4.splat (f32.load (local.get $x))) (v128.load (local.get $t)))))
                (local.set $x (i32.add (local.get $x) (i32.const 4)))
                (local.set $t (i32.add (local.get $t) (local.get $stride)))
                (br $w4)))
            (local.set $a0 (f32x4.mul (local.get $a0) (local.get $wScale)))
            (block $cDone4
              (loop $c4
                (br_if $cDone4 (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $t (i32.add (i32.add (local.get $charT) (local.get $col))
                  (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $q) (i32.const 2)))) (local.get $stride))))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (f32x4.splat (f32.mul (local.get $cScale) (f32.load (i32.add (local.get $val) (i32.shl (local.get $q) (i32.const 2))))))
                    (v128.load (local.get $t)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $c4)))
            (v128.store (local.get $o) (local.get $a0))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $c0 (i32.add (local.get $c0) (i32.const 4)))))
        (br $groups))))

  (func (export "spmm")
    (param $n i32) (param $wd i32) (param $cp i32)
    (param $word i32) (param $off i32) (param $idx i32) (param $val i32)
    (param $ws i32) (param $cs i32) (param $T i32) (param $out i32)
    (local $i i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cp) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (call $row
          (i32.add (local.get $word) (i32.shl (i32.mul (local.get $i) (local.get $wd)) (i32.const 2)))
          (local.get $wd)
          (i32.load (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2))))
          (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2))))
          (local.get $idx) (local.get $val)
          (f32x4.splat (if (result f32) (local.get $ws)
            (then (f32.load (i32.add (local.get $ws) (i32.shl (local.get $i) (i32.const 2))))) (else (f32.const 1))))
          (if (result f32) (local.get $cs)
            (then (f32.load (i32.add (local.get $cs) (i32.shl (local.get $i) (i32.const 2))))) (else (f32.const 1)))
          (local.get $T) (local.get $cp)
          (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; A view's scores (FeatureView.scores) from the lines as encoded: each row's word block is centred
  ;; (d = x - cw, into the scratch row, in float64 before the rounding to float32), its block scales
  ;; come from the row (s_w / |d - a u| with a = u.d, s_c / |x_c - mu|), then
  ;;   out[i, :] = s_w d.T_word + s_c x_c.T_char - s_w a wU - s_c wMu + b.
  ;; k points at the view's constants: i32 cw, u (0: none), mu, wU, wMu, b (pointers); f32 s_w, s_c;
  ;; f64 |mu|^2 at 32, |u|^2 at 40. Row i's scores go to out + i * outStride floats.
  (func (export "scoreRows")
    (param $n i32) (param $wd i32) (param $cp i32)
    (param $word i32) (param $off i32) (param $idx i32) (param $val i32)
    (param $T i32) (param $out i32) (param $outStride i32) (param $k i32) (param $scratch i32)
    (local $i i32) (local $j i32) (local $x i32) (local $q i32) (local $qEnd i32) (local $o i32) (local $c i32)
    (local $cw i32) (local $u i32) (local $mu i32) (local $wU i32) (local $wMu i32) (local $b i32)
    (local $d f64) (local $d2 f64) (local $a f64) (local $v f64) (local $xsq f64) (local $xmu f64)
    (local $ws f32) (local $cs f32) (local $along v128) (local $cScale v128) (local $rowBytes i32)
    (local.set $cw (i32.load offset=0 (local.get $k)))
    (local.set $u (i32.load offset=4 (local.get $k)))
    (local.set $mu (i32.load offset=8 (local.get $k)))
    (local.set $wU (i32.load offset=12 (local.get $k)))
    (local.set $wMu (i32.load offset=16 (local.get $k)))
    (local.set $b (i32.load offset=20 (local.get $k)))
    (local.set $rowBytes (i32.shl (local.get $cp) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (local.get $word) (i32.shl (i32.mul (local.get $i) (local.get $wd)) (i32.const 2))))
        (local.set $d2 (f64.const 0))
        (local.set $a (f64.const 0))
        (local.set $j (i32.const 0))
        (block $wDone (loop $w
          (br_if $wDone (i32.ge_u (local.get $j) (local.get $wd)))
          (local.set $d (f64.sub
            (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2)))))
            (f64.promote_f32 (f32.load (i32.add (local.get $cw) (i32.shl (local.get $j) (i32.const 2)))))))
          (f32.store (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))) (f32.demote_f64 (local.get $d)))
          (local.set $d2 (f64.add (local.get $d2) (f64.mul (local.get $d) (local.get $d))))
          (if (local.get $u) (then
            (local.set $a (f64.add (local.get $a) (f64.mul (local.get $d)
              (f64.promote_f32 (f32.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 2))))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $w)))
        ;; |d - a u|^2 = |d|^2 - 2 a^2 + a^2 |u|^2
        (local.set $ws (f32.demote_f64 (f64.div (f64.promote_f32 (f32.load offset=24 (local.get $k)))
          (f64.sqrt (f64.add (f64.max (f64.add (f64.sub (local.get $d2) (f64.mul (f64.const 2) (f64.mul (local.get $a) (local.get $a))))
            (f64.mul (f64.mul (local.get $a) (local.get $a)) (f64.load offset=40 (local.get $k)))) (f64.const 0)) (f64.const 1e-8))))))
        (local.set $q (i32.load (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $qEnd (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $xsq (f64.const 0))
        (local.set $xmu (f64.const 0))
        (local.set $j (local.get $q))
        (block $cDone (loop $ch
          (br_if $cDone (i32.ge_u (local.get $j) (local.get $qEnd)))
          (local.set $v (f64.promote_f32 (f32.load (i32.add (local.get $val) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $xsq (f64.add (local.get $xsq) (f64.mul (local.get $v) (local.get $v))))
          (local.set $xmu (f64.add (local.get $xmu) (f64.mul (local.get $v)
            (f64.promote_f32 (f32.load (i32.add (local.get $mu)
              (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $ch)))
        (local.set $cs (f32.demote_f64 (f64.div (f64.promote_f32 (f32.load offset=28 (local.get $k)))
          (f64.sqrt (f64.add (f64.max (f64.add (f64.sub (local.get $xsq) (f64.mul (f64.const 2) (local.get $xmu))) (f64.load offset=32 (local.get $k)))
            (f64.const 0)) (f64.const 1e-8))))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $outStride)) (i32.const 2))))
        (call $row (local.get $scratch) (local.get $wd) (local.get $q) (local.get $qEnd) (local.get $idx) (local.get $val)
          (f32x4.splat (local.get $ws)) (local.get $cs) (local.get $T) (local.get $cp) (local.get $o))
        ;; the centring terms and the bias
        (local.set $along (f32x4.splat (f32.mul (local.get $ws) (f32.demote_f64 (local.get $a)))))
        (local.set $cScale (f32x4.splat (local.get $cs)))
        (local.set $c (i32.const 0))
        (block $pDone (loop $p
          (br_if $pDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
          (v128.store (i32.add (local.get $o) (local.get $c))
            (f32x4.add
              (f32x4.sub
                (f32x4.sub (v128.load (i32.add (local.get $o) (local.get $c)))
                  (f32x4.mul (local.get $along) (v128.load (i32.add (local.get $wU) (local.get $c)))))
                (f32x4.mul (local.get $cScale) (v128.load (i32.add (local.get $wMu) (local.get $c)))))
              (v128.load (i32.add (local.get $b) (local.get $c)))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $p)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  (func (export "spmmT")
    (param $n i32) (param $wd i32) (param $cp i32)
    (param $word i32) (param $off i32) (param $idx i32) (param $val i32)
    (param $R i32) (param $G i32)
    (local $i i32) (local $c0 i32) (local $stride i32) (local $col i32)
    (local $x i32) (local $xEnd i32) (local $g i32) (local $q i32) (local $qEnd i32)
    (local $v v128) (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $r i32) (local $charG i32)
    (local.set $stride (i32.shl (local.get $cp) (i32.const 2)))
    (local.set $charG (i32.add (local.get $G) (i32.mul (local.get $wd) (local.get $stride))))
    (local.set $r (local.get $R))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c0 (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $c0) (local.get $cp)))
            (local.set $col (i32.shl (local.get $c0) (i32.const 2)))
            (local.set $x (i32.add (local.get $word) (i32.shl (i32.mul (local.get $i) (local.get $wd)) (i32.const 2))))
            (local.set $xEnd (i32.add (local.get $x) (i32.shl (local.get $wd) (i32.const 2))))
            (local.set $g (i32.add (local.get $G) (local.get $col)))
            (local.set $q (i32.load (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $qEnd (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.le_u (i32.add (local.get $c0) (i32.const 16)) (local.get $cp))
              (then
                (local.set $r0 (v128.load offset=0 (local.get $r)))
                (local.set $r1 (v128.load offset=16 (local.get $r)))
                (local.set $r2 (v128.load offset=32 (local.get $r)))
                (local.set $r3 (v128.load offset=48 (local.get $r)))
                (if (v128.any_true (v128.or (v128.or (local.get $r0) (local.get $r1)) (v128.or (local.get $r2) (local.get $r3))))
                  (then
                    (block $wDone
                      (loop $w
                        (br_if $wDone (i32.ge_u (local.get $x) (local.get $xEnd)))
                        (local.set $v (f32x4.splat (f32.load (local.get $x))))
                        (v128.store offset=0 (local.get $g) (f32x4.add (v128.load offset=0 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r0))))
                        (v128.store offset=16 (local.get $g) (f32x4.add (v128.load offset=16 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r1))))
                        (v128.store offset=32 (local.get $g) (f32x4.add (v128.load offset=32 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r2))))
                        (v128.store offset=48 (local.get $g) (f32x4.add (v128.load offset=48 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r3))))
                        (local.set $x (i32.add (local.get $x) (i32.const 4)))
                        (local.set $g (i32.add (local.get $g) (local.get $stride)))
                        (br $w)))
                    (block $cDone
                      (loop $c
                        (br_if $cDone (i32.ge_u (local.get $q) (local.get $qEnd)))
                        (local.set $g (i32.add (i32.add (local.get $charG) (local.get $col))
                          (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $q) (i32.const 2)))) (local.get $stride))))
                        (local.set $v (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $q) (i32.const 2))))))
                        (v128.store offset=0 (local.get $g) (f32x4.add (v128.load offset=0 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r0))))
                        (v128.store offset=16 (local.get $g) (f32x4.add (v128.load offset=16 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r1))))
                        (v128.store offset=32 (local.get $g) (f32x4.add (v128.load offset=32 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r2))))
                        (v128.store offset=48 (local.get $g) (f32x4.add (v128.load offset=48 (local.get $g)) (f32x4.mul (local.get $v) (local.get $r3))))
                        (local.set $q (i32.add (local.get $q) (i32.const 1)))
                        (br $c)))))
                (local.set $r (i32.add (local.get $r) (i32.const 64)))
                (local.set $c0 (i32.add (local.get $c0) (i32.const 16))))
              (else
                (local.set $r0 (v128.load (local.get $r)))
                (if (v128.any_true (local.get $r0))
                  (then
                    (block $wDone4
                      (loop $w4
                        (br_if $wDone4 (i32.ge_u (local.get $x) (local.get $xEnd)))
                        (v128.store (local.get $g) (f32x4.add (v128.load (local.get $g))
                          (f32x4.mul (f32x4.splat (f32.load (local.get $x))) (local.get $r0))))
                        (local.set $x (i32.add (local.get $x) (i32.const 4)))
                        (local.set $g (i32.add (local.get $g) (local.get $stride)))
                        (br $w4)))
                    (block $cDone4
                      (loop $c4
                        (br_if $cDone4 (i32.ge_u (local.get $q) (local.get $qEnd)))
                        (local.set $g (i32.add (i32.add (local.get $charG) (local.get $col))
                          (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $q) (i32.const 2)))) (local.get $stride))))
                        (v128.store (local.get $g) (f32x4.add (v128.load (local.get $g))
                          (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $q) (i32.const 2))))) (local.get $r0))))
                        (local.set $q (i32.add (local.get $q) (i32.const 1)))
                        (br $c4)))))
                (local.set $r (i32.add (local.get $r) (i32.const 16)))
                (local.set $c0 (i32.add (local.get $c0) (i32.const 4)))))
            (br $groups)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; exp(x) for x <= 0 in each lane, to about 2e-7 relative: x = k ln2 + r with |r| <= ln2/2,
  ;; e^r by its Taylor polynomial to r^7, 2^k from the exponent bits. Below -87 it returns e^-87.
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.max (local.get $x) (v128.const f32x4 -87 -87 -87 -87)))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.4426950408889634 1.4426950408889634 1.4426950408889634 1.4426950408889634))))
    ;; r = x - k ln2, ln2 in two parts so that k * hi is exact
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (f32x4.add (v128.const f32x4 0.0013888889 0.0013888889 0.0013888889 0.0013888889)
      (f32x4.mul (local.get $r) (v128.const f32x4 0.00019841270 0.00019841270 0.00019841270 0.00019841270))))
    (local.set $p (f32x4.add (v128.const f32x4 0.0083333333 0.0083333333 0.0083333333 0.0083333333) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 0.041666667 0.041666667 0.041666667 0.041666667) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 0.16666667 0.16666667 0.16666667 0.16666667) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $r) (local.get $p))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; Each row's summary from its scores (n rows of P floats at Z; the temperature is the float at
;; tempAt): the first index of its largest
  ;; finite score (-1: none), and with t_c = temp (z_c - z_best) the sums S = sum e^t and
  ;; E = sum e^t t (the best class's probability is 1 / S, the entropy log S - E / S). A row with a NaN
  ;; or an infinite maximum gets S = E = NaN. Scores of -1e30 (padding) count as probability 0.
  ;; P is a multiple of 4 (the sums go four columns at a time).
  (func (export "summarize")
    (param $n i32) (param $P i32) (param $Z i32) (param $tempAt i32) (param $best i32) (param $sums i32) (param $ents i32)
    (local $temp f32)
    (local $i i32) (local $o i32) (local $end i32) (local $c i32) (local $b i32) (local $bad i32)
    (local $v f32) (local $max f32) (local $tv v128) (local $mv v128) (local $t v128) (local $e v128)
    (local $sum v128) (local $ent v128) (local $S f32) (local $E f32)
    (local.set $temp (f32.load (local.get $tempAt)))
    (local.set $tv (f32x4.splat (local.get $temp)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.add (local.get $Z) (i32.shl (i32.mul (local.get $i) (local.get $P)) (i32.const 2))))
        (local.set $end (i32.add (local.get $o) (i32.shl (local.get $P) (i32.const 2))))
        (local.set $max (f32.const -inf))
        (local.set $b (i32.const -1))
        (local.set $bad (i32.const 0))
        (local.set $c (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $c) (local.get $P)))
          (local.set $v (f32.load (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2)))))
          ;; NaN and +inf are not finite: the row has no usable maximum
          (if (i32.or (f32.ne (local.get $v) (local.get $v)) (f32.eq (local.get $v) (f32.const inf)))
            (then (local.set $bad (i32.const 1)))
            (else (if (f32.gt (local.get $v) (local.get $max)) (then
              (local.set $max (local.get $v))
              (local.set $b (local.get $c))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $l1)))
        (i32.store (i32.add (local.get $best) (i32.shl (local.get $i) (i32.const 2))) (local.get $b))
        (if (i32.or (local.get $bad) (i32.lt_s (local.get $b) (i32.const 0)))
          (then
            (local.set $S (f32.const nan))
            (local.set $E (f32.const nan)))
          (else
            (local.set $mv (f32x4.splat (f32.mul (local.get $temp) (local.get $max))))
            (local.set $sum (v128.const i32x4 0 0 0 0))
            (local.set $ent (v128.const i32x4 0 0 0 0))
            (local.set $c (local.get $o))
            (block $d2 (loop $l2
              (br_if $d2 (i32.ge_u (local.get $c) (local.get $end)))
              (local.set $t (f32x4.sub (f32x4.mul (local.get $tv) (v128.load (local.get $c))) (local.get $mv)))
              ;; e^t, exactly 0 below -87 (where $exp stops)
              (local.set $e (v128.and (call $exp (local.get $t)) (f32x4.gt (local.get $t) (v128.const f32x4 -87 -87 -87 -87))))
              (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
              (local.set $ent (f32x4.add (local.get $ent) (v128.and (f32x4.mul (local.get $e) (local.get $t))
                (f32x4.gt (local.get $t) (v128.const f32x4 -87 -87 -87 -87)))))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br $l2)))
            (local.set $S (f32.add (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
                                   (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))
            (local.set $E (f32.add (f32.add (f32x4.extract_lane 0 (local.get $ent)) (f32x4.extract_lane 1 (local.get $ent)))
                                   (f32.add (f32x4.extract_lane 2 (local.get $ent)) (f32x4.extract_lane 3 (local.get $ent)))))))
        (f32.store (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 2))) (local.get $S))
        (f32.store (i32.add (local.get $ents) (i32.shl (local.get $i) (i32.const 2))) (local.get $E))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; One gradient step's middle for every row: the scores Z (n x cp, from spmm) become the rows'
  ;; softmax residuals in place. z = Z + bias - scale[i] wMu; p = softmax(z);
  ;; r = weight[i] (p - [c = label[i]]), zero where |p - [c = label[i]]| <= 1e-6 (left out of the
  ;; backward pass); gMu += scale[i] r and gB += r (cp floats each, accumulated).
  ;; Padding classes must have bias -1e30 (probability 0) and wMu 0.
  (func (export "softmaxResidual")
    (param $n i32) (param $cp i32) (param $Z i32) (param $bias i32) (param $wMu i32)
    (param $scale i32) (param $label i32) (param $weight i32) (param $gMu i32) (param $gB i32)
    (local $i i32) (local $o i32) (local $end i32) (local $c i32) (local $y i32)
    (local $s v128) (local $w v128) (local $z v128) (local $m v128) (local $sum v128) (local $r v128)
    (local $max f32) (local $inv f32) (local $wi f32) (local $sc f32) (local $py f32) (local $old f32) (local $gy f32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.add (local.get $Z) (i32.shl (i32.mul (local.get $i) (local.get $cp)) (i32.const 2))))
        (local.set $end (i32.add (local.get $o) (i32.shl (local.get $cp) (i32.const 2))))
        (local.set $sc (f32.load (i32.add (local.get $scale) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $s (f32x4.splat (local.get $sc)))
        ;; z and its maximum
        (local.set $m (v128.const f32x4 -1e30 -1e30 -1e30 -1e30))
        (local.set $c (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (i32.add (local.get $o) (local.get $c)) (local.get $end)))
          (local.set $z (f32x4.sub
            (f32x4.add (v128.load (i32.add (local.get $o) (local.get $c))) (v128.load (i32.add (local.get $bias) (local.get $c))))
            (f32x4.mul (local.get $s) (v128.load (i32.add (local.get $wMu) (local.get $c))))))
          (v128.store (i32.add (local.get $o) (local.get $c)) (local.get $z))
          (local.set $m (f32x4.max (local.get $m) (local.get $z)))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $l1)))
        (local.set $max (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                                 (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
        (local.set $m (f32x4.splat (local.get $max)))
        ;; e = exp(z - max) and its sum
        (local.set $sum (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (i32.add (local.get $o) (local.get $c)) (local.get $end)))
          (local.set $z (call $exp (f32x4.sub (v128.load (i32.add (local.get $o) (local.get $c))) (local.get $m))))
          (v128.store (i32.add (local.get $o) (local.get $c)) (local.get $z))
          (local.set $sum (f32x4.add (local.get $sum) (local.get $z)))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $l2)))
        (local.set $inv (f32.div (f32.const 1)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
                   (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum))))))
;; the label's probability, before the pass below overwrites it
        (local.set $y (i32.shl (i32.load (i32.add (local.get $label) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))
        (local.set $py (f32.mul (f32.load (i32.add (local.get $o) (local.get $y))) (local.get $inv)))
        (local.set $wi (f32.load (i32.add (local.get $weight) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $w (f32x4.splat (local.get $wi)))
        ;; r = w p where p > 1e-6 (every class as if it were not the label; the label's is fixed below)
        (local.set $c (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (i32.add (local.get $o) (local.get $c)) (local.get $end)))
          (local.set $z (f32x4.mul (v128.load (i32.add (local.get $o) (local.get $c))) (f32x4.splat (local.get $inv))))
          (local.set $r (v128.and (f32x4.mul (local.get $w) (local.get $z))
            (f32x4.gt (local.get $z) (v128.const f32x4 1e-6 1e-6 1e-6 1e-6))))
          (v128.store (i32.add (local.get $o) (local.get $c)) (local.get $r))
          (v128.store (i32.add (local.get $gMu) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $gMu) (local.get $c))) (f32x4.mul (local.get $s) (local.get $r))))
          (v128.store (i32.add (local.get $gB) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $gB) (local.get $c))) (local.get $r)))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $l3)))
        ;; the label's residual is w (p - 1)
        (local.set $old (f32.load (i32.add (local.get $o) (local.get $y))))
        (local.set $gy (select (f32.mul (local.get $wi) (f32.sub (local.get $py) (f32.const 1))) (f32.const 0)
          (f32.gt (f32.sub (f32.const 1) (local.get $py)) (f32.const 1e-6))))
        (f32.store (i32.add (local.get $o) (local.get $y)) (local.get $gy))
        (f32.store (i32.add (local.get $gMu) (local.get $y))
          (f32.add (f32.load (i32.add (local.get $gMu) (local.get $y))) (f32.mul (local.get $sc) (f32.sub (local.get $gy) (local.get $old)))))
        (f32.store (i32.add (local.get $gB) (local.get $y))
          (f32.add (f32.load (i32.add (local.get $gB) (local.get $y))) (f32.sub (local.get $gy) (local.get $old))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
;; The gradient step on the table T (dim x cp, word rows then char rows) from its gradient G:
  ;; T = decay T - lr G on the word rows, T = decay T - lr (G - mu[k] gMu) on char row k (the char
  ;; block's centring), and wMu = sum_k mu[k] T[wd + k] of the new table for the next step's scores.
  (func (export "descend")
    (param $wd i32) (param $cd i32) (param $cp i32) (param $T i32) (param $G i32) (param $mu i32)
    (param $gMu i32) (param $wMu i32) (param $decay f32) (param $lr f32)
    (local $t i32) (local $g i32) (local $end i32) (local $rowEnd i32) (local $k i32) (local $c i32)
    (local $d v128) (local $l v128) (local $m v128) (local $v v128)
    (local.set $d (f32x4.splat (local.get $decay)))
    (local.set $l (f32x4.splat (local.get $lr)))
    (local.set $t (local.get $T))
    (local.set $g (local.get $G))
    (local.set $end (i32.add (local.get $T) (i32.shl (i32.mul (local.get $wd) (local.get $cp)) (i32.const 2))))
    (block $wDone (loop $w
      (br_if $wDone (i32.ge_u (local.get $t) (local.get $end)))
      (v128.store (local.get $t) (f32x4.sub (f32x4.mul (local.get $d) (v128.load (local.get $t))) (f32x4.mul (local.get $l) (v128.load (local.get $g)))))
      (local.set $t (i32.add (local.get $t) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $w)))
    (memory.fill (local.get $wMu) (i32.const 0) (i32.shl (local.get $cp) (i32.const 2)))
    (block $cDone (loop $rows
      (br_if $cDone (i32.ge_u (local.get $k) (local.get $cd)))
      (local.set $m (f32x4.splat (f32.load (i32.add (local.get $mu) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $c (i32.const 0))
      (local.set $rowEnd (i32.shl (local.get $cp) (i32.const 2)))
      (block $rowDone (loop $row
        (br_if $rowDone (i32.ge_u (local.get $c) (local.get $rowEnd)))
        (local.set $v (f32x4.sub (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $t) (local.get $c))))
          (f32x4.mul (local.get $l) (f32x4.sub (v128.load (i32.add (local.get $g) (local.get $c)))
            (f32x4.mul (local.get $m) (v128.load (i32.add (local.get $gMu) (local.get $c))))))))
        (v128.store (i32.add (local.get $t) (local.get $c)) (local.get $v))
        (v128.store (i32.add (local.get $wMu) (local.get $c))
          (f32x4.add (v128.load (i32.add (local.get $wMu) (local.get $c))) (f32x4.mul (local.get $m) (local.get $v))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $row)))
      (local.set $t (i32.add (local.get $t) (local.get $rowEnd)))
      (local.set $g (i32.add (local.get $g) (local.get $rowEnd)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $rows))))
)
