// Forms that change something hard to undo (locking a month) ask first: <form data-confirm="question">.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : "";
  if (question && !window.confirm(question)) event.preventDefault();
});
