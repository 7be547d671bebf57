package io.candor.attribution.methods;

import io.candor.interop.CandorException;

/** Points in [0, 1] and their weights for integrating along the path from baseline to input. */
public record Quadrature(double[] points, double[] weights) {

    /** N evenly spaced points from 0 to 1 inclusive with the trapezoid rule's weights. */
    public static Quadrature trapezoid(int n) {
        if (n < 2) {
            throw new CandorException("the trapezoid rule needs at least 2 steps, got " + n);
        }
        double[] p = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = i / (double) (n - 1);
            w[i] = (i == 0 || i == n - 1 ? 0.5 : 1) / (n - 1);
        }
        return new Quadrature(p, w);
    }

    /** Gauss-Legendre nodes and weights mapped to [0, 1]; exact for polynomials of degree 2n - 1. */
    public static Quadrature gaussLegendre(int n) {
        if (n < 1) {
            throw new CandorException("Gauss-Legendre needs at least 1 step, got " + n);
        }
        double[] p = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            // Newton's method on P_n from Chebyshev's guess for the i-th root.
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 1;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1;
                double p1 = x;
                for (int k = 2; k <= n; k++) {
                    double pk = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = pk;
                }
                if (n == 1) {
                    p1 = x;
                    p0 = 1;
                }
                derivative = n * (x * p1 - p0) / (x * x - 1);
                double step = p1 / derivative;
                x -= step;
                if (Math.abs(step) < 1e-15) {
                    break;
                }
            }
            p[n - 1 - i] = (x + 1) / 2;
            w[n - 1 - i] = 1 / ((1 - x * x) * derivative * derivative);
        }
        return new Quadrature(p, w);
    }

    public int size() {
        return points.length;
    }
}
