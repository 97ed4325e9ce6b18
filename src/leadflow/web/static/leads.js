// The leads page: one box ticks (or clears) every lead of the page.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("tick-all");
  if (!all) return;
  const boxes = () => document.querySelectorAll('input[name="lead"][form="bulk"]');
  all.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = all.checked; });
  });
  document.addEventListener("change", (event) => {
    if (event.target.name !== "lead") return;
    const list = Array.from(boxes());
    all.checked = list.length > 0 && list.every((box) => box.checked);
    all.indeterminate = !all.checked && list.some((box) => box.checked);
  });
});
