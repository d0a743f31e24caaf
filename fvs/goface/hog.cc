// A HOG-only detection entry point, beside go-face's combined
// detect+describe call, so that the benchmark can time detection on its
// own. It uses the same dlib detector go-face uses.
#include <dlfcn.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include "hog.h"

struct tt_hog {
	dlib::frontal_face_detector det;
};

extern "C" tt_hog* tt_hog_new(void) {
	try {
		tt_hog* d = new tt_hog;
		d->det = dlib::get_frontal_face_detector();
		return d;
	} catch (...) {
		return NULL;
	}
}

extern "C" void tt_hog_free(tt_hog* d) { delete d; }

extern "C" int tt_hog_detect(tt_hog* d, const uint8_t* rgb, int width, int height, int stride, long* out, int max) {
	try {
		dlib::matrix<dlib::rgb_pixel> img(height, width);
		for (int y = 0; y < height; y++) {
			const uint8_t* row = rgb + (long)y * stride;
			for (int x = 0; x < width; x++) {
				img(y, x) = dlib::rgb_pixel(row[3 * x], row[3 * x + 1], row[3 * x + 2]);
			}
		}
		std::vector<dlib::rectangle> rects = d->det(img);
		int n = (int)rects.size();
		for (int i = 0; i < n && i < max; i++) {
			out[4 * i] = rects[i].left();
			out[4 * i + 1] = rects[i].top();
			out[4 * i + 2] = rects[i].right();
			out[4 * i + 3] = rects[i].bottom();
		}
		return n;
	} catch (...) {
		return -1;
	}
}

extern "C" int tt_blas_threads(int n) {
	typedef void (*setter)(int);
	setter f = (setter)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
	if (f == NULL) {
		return 0;
	}
	f(n);
	return 1;
}
