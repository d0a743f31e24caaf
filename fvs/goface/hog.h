#ifndef THAITRUST_GOFACE_HOG_H
#define THAITRUST_GOFACE_HOG_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct tt_hog tt_hog;

// tt_hog_new returns dlib's HOG frontal face detector (NULL on failure).
tt_hog* tt_hog_new(void);
void tt_hog_free(tt_hog* d);
// tt_hog_detect runs the detector on an RGB image (3 bytes per pixel,
// rows of stride bytes) and writes up to max boxes as left, top, right,
// bottom into out. It returns the number of faces found (which may exceed
// max), or -1 on failure.
int tt_hog_detect(tt_hog* d, const uint8_t* rgb, int width, int height, int stride, long* out, int max);
// tt_blas_threads sets OpenBLAS's thread count when the linked BLAS is
// OpenBLAS; it returns 0 if it is not.
int tt_blas_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
