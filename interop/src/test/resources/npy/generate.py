"""Makes the .npy files NpyTest reads, with real NumPy (1.24): run from this folder with
/usr/bin/python3 generate.py. The files are committed; rerunning should reproduce them byte for byte."""
import warnings

import numpy as np
import numpy.lib.format as fmt

warnings.simplefilter("ignore")  # NumPy warns when it writes versions 2.0 and 3.0

np.save("f32_2x3.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
np.save("i64_3.npy", np.array([-1, 0, 7], dtype=np.int64))
np.save("f64_scalar.npy", np.float64(2.5))
np.save("bool_2x2.npy", np.array([[True, False], [False, True]]))
np.save("u8_4.npy", np.array([0, 1, 128, 255], dtype=np.uint8))
np.save("i32_2x2.npy", np.array([[-2147483648, -1], [0, 2147483647]], dtype=np.int32))
np.save("i8_3.npy", np.array([-128, 0, 127], dtype=np.int8))
np.save("empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))
np.save("big_endian.npy", np.arange(4, dtype=">f4"))
np.save("big_endian_i8.npy", np.array([-2, 300], dtype=">i8"))
np.save("big_endian_f8.npy", np.array([1.5, -0.25], dtype=">f8"))
with open("v2_f64.npy", "wb") as f:
    fmt.write_array(f, np.array([0.5, -1.0, 3.0]), version=(2, 0))
with open("v3_i64.npy", "wb") as f:
    fmt.write_array(f, np.array([[1, 2], [3, 4]], dtype=np.int64), version=(3, 0))

# Files Candor refuses, each with its own message.
np.save("fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
np.save("f16.npy", np.zeros(2, dtype=np.float16))
np.save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
