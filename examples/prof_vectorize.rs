use std::time::Instant;
use wirenlp::analyzer::*;
use wirenlp::vectorize::*;
fn main() {
    let text = std::fs::read_to_string("/tmp/news.bin").unwrap();
    let docs: Vec<&str> = text.split('\0').collect();
    let args: Vec<String> = std::env::args().collect();
    let ngram: usize = args.get(1).map_or(1, |s| s.parse().unwrap());
    let min_df: u64 = args.get(2).map_or(1, |s| s.parse().unwrap());
    let threads: i64 = args.get(3).map_or(2, |s| s.parse().unwrap());
    let cfg = VectorizerConfig { analysis: AnalyzerConfig { ngram_range: (1, ngram), ..Default::default() },
        max_df: DocFreq::Proportion(1.0), min_df: DocFreq::Count(min_df), max_features: None, binary: false,
        dtype: Dtype::Float64, weighting: Some(Weighting { norm: Some(Norm::L2), use_idf: true, smooth_idf: true, sublinear_tf: false }) };
    for _ in 0..5 {
        let a = Analyzer::new(cfg.analysis.clone(), None, None).unwrap();
        let mut v = Vectorizer::new(cfg.clone(), a).unwrap();
        let t = Instant::now();
        let x = wirenlp::parallel::install(Some(threads), || v.fit_transform(&docs)).unwrap().unwrap();
        println!("{:?} nnz {}", t.elapsed(), x.indices.len());
    }
    // analysis only
    let a = Analyzer::new(cfg.analysis.clone(), None, None).unwrap();
    let t = Instant::now();
    let mut s = Scratch::default(); let mut n = 0usize;
    for d in &docs { a.analyze(d, &mut s, |_t| n += 1); }
    println!("analyze only 1 thread {:?} terms {}", t.elapsed(), n);
}
