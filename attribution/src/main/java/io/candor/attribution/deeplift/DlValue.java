package io.candor.attribution.deeplift;

import ai.djl.ndarray.NDArray;

/** A value under DeepLIFT: its activation at the input and at the reference (baseline) input. */
public record DlValue(NDArray actual, NDArray reference) {
}
