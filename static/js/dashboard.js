// Draws the dashboard charts from the figures the page passes in data attributes (no inline scripts).
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  function bars(canvas, labels, datasets, extra) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, extra || {}),
    });
  }
  document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
    var figures = JSON.parse(canvas.dataset.figures || "{}");
    if (canvas.dataset.chart === "events") {
      bars(canvas, figures.labels, [
        { label: canvas.dataset.labelParticipants, data: figures.participants },
        { label: canvas.dataset.labelPassed, data: figures.passed },
      ]);
    } else if (canvas.dataset.chart === "agencies") {
      bars(canvas, figures.labels, [
        { label: canvas.dataset.labelParticipants, data: figures.participants },
        { label: canvas.dataset.labelJp, data: figures.certified_jp },
      ], { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
    } else if (canvas.dataset.chart === "gain") {
      // A histogram: bars side by side, one per bin of the normalised gain.
      bars(canvas, figures.labels, [
        { label: canvas.dataset.labelParticipants, data: figures.participants, barPercentage: 1.0, categoryPercentage: 1.0 },
      ], {
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: canvas.dataset.labelAxis } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      });
    }
    canvas.dataset.drawn = "1";
  });
})();
