;; The encoder's word blocks in WebAssembly SIMD: each line's SIF-weighted mean of its known words'
;; vectors. Source of the module src/engine/features/wordBlocks.ts loads; scripts/build.mjs
;; assembles it with wabt.
;;
;; wordBlocks: for each line l < n, with its tokens t in offs[l]..offs[l+1] (vocabulary rows rows[t],
;; SIF weights weights[t]):
;;   out[l, j] = (sum_t weights[t] table[rows[t], j]) / (offs[l+1] - offs[l]),  0 for a line with none
;; summed in float64 in token order and divided in float64, as the plain-JS encoder does (the two
;; give the same floats). table is size x dim floats; dim a multiple of 4; sum is dim float64s of
;; scratch. All pointers are byte offsets, 16-aligned.
(module
  ;; Shared, so that a view of the table stays valid when the memory grows: the word vectors are
  ;; read through it (WordVectors.vectors) instead of keeping a second copy.
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "wordBlocks")
    (param $n i32) (param $dim i32) (param $table i32) (param $offs i32) (param $rows i32) (param $weights i32)
    (param $sum i32) (param $out i32)
    (local $l i32) (local $t i32) (local $tEnd i32) (local $j i32) (local $src i32) (local $acc i32)
    (local $w v128) (local $v v128) (local $count f64) (local $rowBytes i32) (local $sumBytes i32)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $sumBytes (i32.shl (local.get $dim) (i32.const 3)))
    (block $linesDone
      (loop $lines
        (br_if $linesDone (i32.ge_u (local.get $l) (local.get $n)))
        (memory.fill (local.get $sum) (i32.const 0) (local.get $sumBytes))
        (local.set $t (i32.load (i32.add (local.get $offs) (i32.shl (local.get $l) (i32.const 2)))))
        (local.set $tEnd (i32.load offset=4 (i32.add (local.get $offs) (i32.shl (local.get $l) (i32.const 2)))))
        (local.set $count (f64.convert_i32_u (i32.sub (local.get $tEnd) (local.get $t))))
        (block $tokensDone
          (loop $tokens
            (br_if $tokensDone (i32.ge_u (local.get $t) (local.get $tEnd)))
            (local.set $w (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $weights) (i32.shl (local.get $t) (i32.const 2)))))))
            (local.set $src (i32.add (local.get $table)
              (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $t) (i32.const 2)))) (local.get $rowBytes))))
            (local.set $acc (local.get $sum))
            (local.set $j (i32.const 0))
            (block $dimDone
              (loop $dims
                (br_if $dimDone (i32.ge_u (local.get $j) (local.get $dim)))
                (local.set $v (v128.load (local.get $src)))
                (v128.store offset=0 (local.get $acc) (f64x2.add (v128.load offset=0 (local.get $acc))
                  (f64x2.mul (local.get $w) (f64x2.promote_low_f32x4 (local.get $v)))))
                (v128.store offset=16 (local.get $acc) (f64x2.add (v128.load offset=16 (local.get $acc))
                  (f64x2.mul (local.get $w) (f64x2.promote_low_f32x4
                    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))
                (local.set $src (i32.add (local.get $src) (i32.const 16)))
                (local.set $acc (i32.add (local.get $acc) (i32.const 32)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $dims)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tokens)))
        ;; the mean, rounded to float32 (zeros when no token was known)
        (local.set $acc (local.get $sum))
        (local.set $src (i32.add (local.get $out) (i32.mul (local.get $l) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        (block $meanDone
          (loop $means
            (br_if $meanDone (i32.ge_u (local.get $j) (local.get $dim)))
            (f32.store (local.get $src)
              (if (result f32) (f64.gt (local.get $count) (f64.const 0))
                (then (f32.demote_f64 (f64.div (f64.load (local.get $acc)) (local.get $count))))
                (else (f32.const 0))))
            (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $means)))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $lines))))
)
