"""Exercise 4: softmax regression and one hidden layer (tutorial: tutorials/SdA_tutorial.py).

The SdA is fine-tuned as a multilayer perceptron: sigmoid hidden layers (the dAs' encoders)
under a softmax classifier (the logistic regression tutorial's ``LogisticRegression``), trained
on the negative log-likelihood. Here: the classifier alone, then one hidden layer under it.

Check it with:  dae exercises check softmax_mlp
"""
import numpy


def softmax_cost_and_grads(W, b, x, y):
    """The softmax classifier's mean negative log-likelihood and its gradients.

    Maths, for N examples x_n with labels y_n in {0, ..., K-1}:

        a = x W + b,    P(Y = k | x_n) = softmax(a_n)_k = exp(a_nk) / sum_j exp(a_nj)
        cost = - (1/N) sum_n log P(Y = y_n | x_n)

    Shapes: W (D, K), b (K,), x (N, D), y (N,) integers. Return ``(cost, gW, gb)``.

    Hints: subtract each row's maximum from a before exp (it changes nothing but overflow),
    and compute log-softmax directly. Derive dcost/da first: one row of it depends on
    softmax(a_n) and on which class is y_n (a one-hot vector helps).
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----


def mlp_cost_and_grads(W1, b1, W2, b2, x, y):
    """One sigmoid hidden layer under the softmax classifier: cost and the four gradients.

    Maths:  h = s(x W1 + b1),   then the softmax classifier above on h (with W2, b2),
            cost = - (1/N) sum_n log softmax(h_n W2 + b2)_{y_n}

    Shapes: W1 (D, H), b1 (H,), W2 (H, K), b2 (K,), x (N, D), y (N,) integers.
    Return ``(cost, gW1, gb1, gW2, gb2)``.

    Hints: backpropagation is the chain rule, layer by layer: the classifier gives you
    dcost/da, from it dcost/dW2, dcost/db2 and dcost/dh; then through the sigmoid
    (s' written from s's output) to the hidden layer's parameters. Reuse your function above.
    """
    # ---- your code here ----
    raise NotImplementedError
    # ---- end of your code ----
