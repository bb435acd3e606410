#include "CStencilKernels.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#pragma STDC FP_CONTRACT OFF

#define AVX2 __attribute__((target("avx2")))

/* Rows n ..< n+4 of q, stored; returns pp·q for them. */
AVX2 static inline __attribute__((always_inline)) __m256d
rows4(const int five, ptrdiff_t n, const double *v0, const double *v1, const double *v2, const double *v3,
      const double *v4, const double *x0, const double *x1, const double *x2, const double *x3, const double *x4,
      const double *pp, double *qp) {
    __m256d y = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(_mm256_loadu_pd(v0 + n), _mm256_loadu_pd(x0 + n)),
                                            _mm256_mul_pd(_mm256_loadu_pd(v1 + n), _mm256_loadu_pd(x1 + n))),
                              _mm256_mul_pd(_mm256_loadu_pd(v2 + n), _mm256_loadu_pd(x2 + n)));
    if (five)
        y = _mm256_add_pd(_mm256_add_pd(y, _mm256_mul_pd(_mm256_loadu_pd(v3 + n), _mm256_loadu_pd(x3 + n))),
                          _mm256_mul_pd(_mm256_loadu_pd(v4 + n), _mm256_loadu_pd(x4 + n)));
    _mm256_storeu_pd(qp + n, y);
    return _mm256_mul_pd(_mm256_loadu_pd(pp + n), y);
}

/* pp[i ..< end] = mp·rp + beta·pp, four, then two at a time, then one. */
AVX2 static inline __attribute__((always_inline)) void
direct(ptrdiff_t i, ptrdiff_t end, double beta, const double *rp, const double *mp, double *pp) {
    const __m256d b = _mm256_set1_pd(beta);
    for (; i + 4 <= end; i += 4)
        _mm256_storeu_pd(pp + i, _mm256_add_pd(_mm256_mul_pd(_mm256_loadu_pd(mp + i), _mm256_loadu_pd(rp + i)),
                                               _mm256_mul_pd(b, _mm256_loadu_pd(pp + i))));
    for (; i < end; i++) pp[i] = mp[i] * rp[i] + beta * pp[i];
}

AVX2 static inline __attribute__((always_inline)) double
direction_rows(const int five, ptrdiff_t first, ptrdiff_t last, ptrdiff_t rows, ptrdiff_t lead, double beta,
               const double *v0, const double *v1, const double *v2, const double *v3, const double *v4,
               const double *x0, const double *x1, const double *x2, const double *x3, const double *x4,
               const double *rp, const double *mp, double *pp, double *qp) {
    const __m256d b = _mm256_set1_pd(beta);
    /* Lanes 0, 1: the even pair; lanes 2, 3: the odd pair. */
    __m256d acc = _mm256_setzero_pd();
    ptrdiff_t n = first;
    double *pu = pp + lead;
    const double *ru = rp + lead, *mu = mp + lead;
    while (n + 4 <= last && n + lead + 4 <= rows) {
        acc = _mm256_add_pd(acc, rows4(five, n, v0, v1, v2, v3, v4, x0, x1, x2, x3, x4, pp, qp));
        _mm256_storeu_pd(pu + n, _mm256_add_pd(_mm256_mul_pd(_mm256_loadu_pd(mu + n), _mm256_loadu_pd(ru + n)),
                                               _mm256_mul_pd(b, _mm256_loadu_pd(pu + n))));
        n += 4;
    }
    ptrdiff_t a = first + lead < rows ? first + lead : rows, c = n + lead < rows ? n + lead : rows;
    direct(a > c ? a : c, rows, beta, rp, mp, pp);
    while (n + 4 <= last) {
        acc = _mm256_add_pd(acc, rows4(five, n, v0, v1, v2, v3, v4, x0, x1, x2, x3, x4, pp, qp));
        n += 4;
    }
    __m128d even = _mm256_castpd256_pd128(acc), odd = _mm256_extractf128_pd(acc, 1);
    if (n + 2 <= last) {
        __m128d y = _mm_add_pd(_mm_add_pd(_mm_mul_pd(_mm_loadu_pd(v0 + n), _mm_loadu_pd(x0 + n)),
                                          _mm_mul_pd(_mm_loadu_pd(v1 + n), _mm_loadu_pd(x1 + n))),
                               _mm_mul_pd(_mm_loadu_pd(v2 + n), _mm_loadu_pd(x2 + n)));
        if (five)
            y = _mm_add_pd(_mm_add_pd(y, _mm_mul_pd(_mm_loadu_pd(v3 + n), _mm_loadu_pd(x3 + n))),
                           _mm_mul_pd(_mm_loadu_pd(v4 + n), _mm_loadu_pd(x4 + n)));
        _mm_storeu_pd(qp + n, y);
        even = _mm_add_pd(even, _mm_mul_pd(_mm_loadu_pd(pp + n), y));
        n += 2;
    }
    double total = 0.0;
    for (; n < last; n++) {
        double y = v0[n] * x0[n] + v1[n] * x1[n] + v2[n] * x2[n];
        if (five) y = y + v3[n] * x3[n] + v4[n] * x4[n];
        qp[n] = y;
        total += pp[n] * y;
    }
    __m128d s = _mm_add_pd(even, odd);
    return total + (_mm_cvtsd_f64(s) + _mm_cvtsd_f64(_mm_unpackhi_pd(s, s)));
}

AVX2 double cstencil_direction_rows(int five, ptrdiff_t first, ptrdiff_t last, ptrdiff_t rows, ptrdiff_t lead, double beta,
                                    const double *v0, const double *v1, const double *v2, const double *v3, const double *v4,
                                    const double *x0, const double *x1, const double *x2, const double *x3, const double *x4,
                                    const double *rp, const double *mp, double *pp, double *qp) {
    return five ? direction_rows(1, first, last, rows, lead, beta, v0, v1, v2, v3, v4, x0, x1, x2, x3, x4, rp, mp, pp, qp)
                : direction_rows(0, first, last, rows, lead, beta, v0, v1, v2, v3, v4, x0, x1, x2, x3, x4, rp, mp, pp, qp);
}

#else

/* No AVX2 on this architecture: cstencil_vector_kernels_enabled() is 0, so the kernel is never called. */
double cstencil_direction_rows(int five, ptrdiff_t first, ptrdiff_t last, ptrdiff_t rows, ptrdiff_t lead, double beta,
                               const double *v0, const double *v1, const double *v2, const double *v3, const double *v4,
                               const double *x0, const double *x1, const double *x2, const double *x3, const double *x4,
                               const double *rp, const double *mp, double *pp, double *qp) {
    abort();
}

#endif
